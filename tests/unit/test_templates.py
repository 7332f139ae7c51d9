"""The template conventions, checked over the whole templates/ tree: site paths come from
route names (`url(...)`), lines stay readable, and partials are recognisable by their name.
Each failure names the file and line to fix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from jinja2 import nodes

from app.settings import PROJECT_ROOT
from app.templating import environment

TEMPLATES = PROJECT_ROOT / "templates"
MAX_LINE = 160
#: Folders whose templates are included or imported under their plain name.
SHARED_FOLDERS = {"includes", "layouts"}

#: An HTML attribute whose value is a site path: `href="/account"`, `action="/{{ ... }}"`
#: (the value then goes on in a Jinja tag: the data ends after the slash) or the home page
#: `href="/"`. Fragment-only (`#c12`) and external (`https://`) values never start with "/".
ATTRIBUTE_PATH = re.compile(r"""[\w:@.-]+\s*=\s*["']?(/(?:[A-Za-z{]|["'?#]|$))""")
#: A Jinja string literal that is a site path: `"/contributions/" ~ id`, `"/account"`.
#: (Static files need no leading slash either: url("static", path="css/site.css").)
LITERAL_PATH = re.compile(r"^/[A-Za-z{]")


def html_templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(TEMPLATES)}:{line}"


def typed_paths(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every hard-coded site path: in the HTML between tags, and in the
    string literals of Jinja expressions. Jinja comments are skipped by the lexer."""
    for line, kind, value in environment.lex(source):
        if kind == "data":
            for match in ATTRIBUTE_PATH.finditer(value):
                yield line + value.count("\n", 0, match.start()), value[match.start() :].split("\n")[0][:80]
        elif kind == "string" and LITERAL_PATH.match(value[1:-1]):
            yield line, value


def referenced_partials(source: str) -> Iterator[tuple[int, str]]:
    """(line, name) of every template this one includes or imports (not the one it extends)."""
    for node in environment.parse(source).find_all((nodes.Include, nodes.Import, nodes.FromImport)):
        if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
            yield node.lineno, node.template.value


def is_partial_name(name: str) -> bool:
    folder, _, filename = name.partition("/")
    return folder in SHARED_FOLDERS or filename.startswith("_")


def test_no_template_types_a_site_path():
    offenders = [
        f"{where(path, line)}: {text}"
        for path in html_templates()
        for line, text in typed_paths(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "site paths come from url(route_name, ...):\n" + "\n".join(offenders)


def test_template_lines_are_at_most_160_characters():
    offenders = [
        f"{where(path, number)}: {len(line)} characters"
        for path in html_templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > MAX_LINE
    ]
    assert offenders == [], f"wrap template lines longer than {MAX_LINE} characters:\n" + "\n".join(offenders)


def test_templates_sit_one_folder_deep():
    nested = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*") if path.is_file()]
    assert [name for name in nested if name.count("/") != 1] == [], "templates/<folder>/<name>, no subfolders"


def test_included_templates_are_named_as_partials():
    offenders = [
        f"{where(path, line)}: {name}"
        for path in html_templates()
        for line, name in referenced_partials(path.read_text(encoding="utf-8"))
        if not is_partial_name(name)
    ]
    assert offenders == [], "an included template is _<name>.html in its domain folder:\n" + "\n".join(offenders)


# The guard's own rules, on small sources.


def test_typed_paths_finds_attributes_and_literals():
    source = (
        '<a href="/account">x</a>\n'
        '<a href="/contributions/{{ c.id }}">x</a>\n'
        '{% set back = "/organisations/invitations?token=" ~ token %}\n'
        '<a href="/">home</a>\n'
        '<form hx-post="/sign-in">'
    )
    assert [line for line, _ in typed_paths(source)] == [1, 2, 3, 4, 5]


def test_typed_paths_allows_urls_fragments_external_links_and_comments():
    source = (
        "<a href=\"{{ url('thread', contribution_id=c.id) }}#c{{ c.id }}\">x</a>\n"
        '<a href="#c12">x</a> <a href="https://example.org/a">x</a>\n'
        '{# was href="/account" #}\n'
        '<p>{{ _("Paths like /account are text here") }} a/b 1/2</p>\n'
        "{{ url('static', path='css/site.css') }}"
    )
    assert list(typed_paths(source)) == []


def test_partial_names():
    source = (
        '{% include "accounts/_fields.html" %}\n'
        '{% from "includes/forms.html" import csrf %}\n'
        '{% import "discussion/parts/quote.html" as quote %}\n'
        '{% extends "layouts/base.html" %}'
    )
    assert [is_partial_name(name) for _, name in referenced_partials(source)] == [True, True, False]
