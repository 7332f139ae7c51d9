"""Labels for positions; a consultation may configure positions these do not know."""

from __future__ import annotations

from app.accounts.labels import organisation_type_label
from app.discussion.thread_read import INDIVIDUAL
from app.i18n import _


def position_label(value: str | None) -> str:
    if value is None:
        return ""
    labels = {
        "support": _("Support"),
        "support_with_amendments": _("Support with amendments"),
        "oppose": _("Oppose"),
        "neutral": _("Neutral"),
    }
    return labels.get(value, value.replace("_", " ").capitalize())


def stakeholder_label(kind: str) -> str:
    """A tally bucket: an organisation type, or people speaking for themselves."""
    return _("Individuals") if kind == INDIVIDUAL else organisation_type_label(kind)


TEMPLATE_GLOBALS = {"position_label": position_label, "stakeholder_label": stakeholder_label}
