"""Publication consent is applied in one place (app/discussion/publication.py): every name,
organisation and place shown for a contribution, and every count that depends on consent,
comes through it. These guards read the source and fail where another module decides by
hand what a consent allows, or reads an author's or organisation's name off a contribution.

Allowed: publication.py (the rules), models.py (the enum), presenters.py (builds the views
through byline(), the only reader of names for contributions). A ContributionView's `author`
and `organisation` are already reduced by consent, so `view.author.display_name` is fine."""

from __future__ import annotations

import ast
import re

from app.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
RULES = {APP / "discussion" / "publication.py", APP / "discussion" / "models.py", APP / "discussion" / "presenters.py"}
PERSON_FIELDS = {"display_name", "erased_at", "email"}
ORGANISATION_FIELDS = {"name", "country", "type", "origin_countries"}
#: Names a contribution model goes by in this code base.
CONTRIBUTION_NAMES = re.compile(r"contribution|parent|reply|position|^new$|^c$|^p$")


def _identifier(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_consent_member(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "PublicationConsent"
    )


def offences(source: str) -> list[str]:
    """Where this module reads a contribution's names, or compares a consent, by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Compare) and any(map(_is_consent_member, [node.left, *node.comparators])):
            found.append(f"line {line}: compares a consent by hand")
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)):
            continue
        owner, relation, field = _identifier(node.value.value), node.value.attr, node.attr
        if owner.endswith("view"):
            continue
        if relation == "author" and field in PERSON_FIELDS:
            found.append(f"line {line}: reads a contribution's author's {field}")
        if relation == "organisation" and field in ORGANISATION_FIELDS and CONTRIBUTION_NAMES.search(owner):
            found.append(f"line {line}: reads a contribution's organisation's {field}")
    return found


def test_no_module_applies_consent_but_publication() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT)): offences(path.read_text())
        for path in APP.rglob("*.py")
        if path not in RULES
    }
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_guard_catches_what_it_guards() -> None:
    offender = (
        "def name(contribution):\n"
        "    return contribution.author.display_name\n"
        "def place(parent):\n"
        "    return parent.organisation.country\n"
        "def hidden(c):\n"
        "    return c.publication is PublicationConsent.ANONYMOUS\n"
        "def fine(view, organisation):\n"
        "    return view.author.display_name, organisation.name\n"
    )
    assert sorted(offences(offender)) == [
        "line 2: reads a contribution's author's display_name",
        "line 4: reads a contribution's organisation's country",
        "line 6: compares a consent by hand",
    ]


#: In templates: a consent compared by hand, or a name read off a contribution model (pages
#: get ContributionViews, `c`, whose names consent already reduced, or a name from the view).
TEMPLATE_OFFENCES = re.compile(r"publication\.value|\b(contribution|parent|reply)\.(author|organisation)\.")


def test_no_template_applies_consent_by_hand() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in (PROJECT_ROOT / "templates").rglob("*.*ml")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TEMPLATE_OFFENCES.search(line)
    ]
    assert found == []


def test_the_template_guard_catches_what_it_guards() -> None:
    assert TEMPLATE_OFFENCES.search('{% if c.publication.value == "anonymous" %}')
    assert TEMPLATE_OFFENCES.search("{{ contribution.author.display_name }}")
    assert not TEMPLATE_OFFENCES.search("{{ c.author.display_name }}{{ author_name }}")
