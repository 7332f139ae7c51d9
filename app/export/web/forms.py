"""The export page's form: a selection (app.consolidation.selection) and a format, with the
person's values kept when a value is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.consolidation.selection import INDIVIDUAL, M49_REGIONS, ParsedSelection, Selection
from app.consultation.models import Consultation
from app.discussion.labels import position_label, stakeholder_label
from app.i18n import _
from app.organisations.labels import m49_name
from app.organisations.models import OrganisationType
from app.text.safe import clean_text

SINGLE = ("roundtable", "key_message", "since", "until", "verified", "format")
MULTIPLE = ("type", "region", "position")
#: The longest value shown back in a field.
MAX_SHOWN = 40


@dataclass
class SelectionForm:
    values: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def selection_form(params: Any, parsed: ParsedSelection) -> SelectionForm:
    """What the person sent (a query string or a form), cleaned, with the parser's errors."""
    values = {name: _shown(params.get(name)) for name in SINGLE}
    chosen = {name: [_shown(value) for value in params.getlist(name)] for name in MULTIPLE}
    return SelectionForm(values, chosen, dict(parsed.errors))


def _shown(raw: object) -> str:
    return clean_text(raw)[:MAX_SHOWN] if isinstance(raw, str) else ""


#: Roundtable titles are sentences; a choice shows their start.
MAX_CHOICE_CHARS = 80


def _short(label: str) -> str:
    return label if len(label) <= MAX_CHOICE_CHARS else label[: MAX_CHOICE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class SelectionChoices:
    roundtables: list[tuple[str, str]]
    key_messages: list[str]
    types: list[tuple[str, str]]
    regions: list[tuple[str, str]]
    positions: list[tuple[str, str]]


def selection_choices(consultation: Consultation) -> SelectionChoices:
    sections = [s for s in consultation.sections if s.ref and s.key_messages]
    return SelectionChoices(
        roundtables=[(s.ref, _short(f"{s.ref} {s.title}")) for s in sections if s.ref],
        key_messages=[m.ref for s in sections for m in s.key_messages],
        types=[(kind, stakeholder_label(kind)) for kind in [t.value for t in OrganisationType] + [INDIVIDUAL]],
        regions=[(code, m49_name(code)) for code in M49_REGIONS],
        positions=[(p, position_label(p)) for p in consultation.positions],
    )


def describe_selection(selection: Selection) -> str:
    """The selection in words, for the list of exports ("RT2; Civil society; from 2013-06-01")."""
    parts = [ref for ref in (selection.roundtable, selection.key_message) if ref]
    parts += [stakeholder_label(kind) for kind in selection.stakeholder_types]
    parts += [m49_name(code) for code in selection.regions]
    parts += [position_label(position) for position in selection.positions]
    if selection.verified_only:
        parts.append(_("verified organisations only"))
    if selection.since:
        parts.append(_("from %(date)s", date=selection.since.isoformat()))
    if selection.until:
        parts.append(_("until %(date)s", date=selection.until.isoformat()))
    return "; ".join(parts) or _("Everything")
