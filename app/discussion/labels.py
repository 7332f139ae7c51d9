"""Labels for positions; a consultation may configure positions these do not know."""

from __future__ import annotations

from babel import Locale

from app.accounts.labels import organisation_type_label
from app.discussion.contribution_write import CONTRIBUTION_LANGUAGES
from app.discussion.tallies import INDIVIDUAL
from app.i18n import _, cached_per_locale, current_locale


def position_label(value: str | None) -> str:
    if value is None:
        return ""
    return _known_positions().get(value) or value.replace("_", " ").capitalize()


@cached_per_locale
def _known_positions() -> dict[str, str]:
    return {
        "support": _("Support"),
        "support_with_amendments": _("Support with amendments"),
        "oppose": _("Oppose"),
        "neutral": _("Neutral"),
    }


def stakeholder_label(kind: str) -> str:
    """A tally bucket: an organisation type, or people speaking for themselves."""
    return _("Individuals") if kind == INDIVIDUAL else organisation_type_label(kind)


@cached_per_locale
def language_choices() -> list[tuple[str, str]]:
    """(code, "autonym — name in the reader's language") for the contribution form."""
    reader = Locale.parse(current_locale.get())
    choices = []
    for code in CONTRIBUTION_LANGUAGES:
        language = Locale.parse(code)
        autonym, local = language.get_display_name(language) or code, language.get_display_name(reader) or code
        choices.append((code, autonym if autonym == local else f"{autonym} — {local}"))
    return choices


@cached_per_locale
def contribution_labels() -> dict[str, str]:
    """Words shown on every contribution, translated once per locale rather than per item."""
    return {
        "removed": _("Removed by a moderator."),
        "reason": _("Reason:"),
        "show_removed": _("Show the removed text (moderators only)"),
        "withdrawn": _("Withdrawn by its author."),
        "former_participant": _("Former participant"),
        "reply": _("Reply"),
        "moderate": _("Moderate"),
        "verified": _("Verified"),
    }


TEMPLATE_GLOBALS = {
    "position_label": position_label,
    "stakeholder_label": stakeholder_label,
    "contribution_labels": contribution_labels,
    "language_choices": language_choices,
}
