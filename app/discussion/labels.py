"""Labels for positions, stakeholder kinds, publication consent and topics, translated at the
time of use; a consultation may configure positions these do not know."""

from __future__ import annotations

from app.discussion.models import PublicationConsent
from app.discussion.publication import CONSENT_CHOICES
from app.discussion.tallies import INDIVIDUAL, UNDISCLOSED
from app.i18n import _, cached_per_locale, current_locale
from app.organisations.labels import organisation_type_label


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
    """A tally bucket: an organisation type, people speaking for themselves, or undisclosed."""
    if kind == INDIVIDUAL:
        return _("Individuals")
    if kind == UNDISCLOSED:
        return _("Undisclosed (published anonymously)")
    return organisation_type_label(kind)


@cached_per_locale
def contribution_labels() -> dict[str, str]:
    """Words shown on every contribution, translated once per locale rather than per item."""
    return {
        "removed": _("Removed by a moderator."),
        "reason": _("Reason:"),
        "show_removed": _("Show the removed text (moderators only)"),
        "moderation_log": _("Moderation log"),
        "withdrawn": _("Withdrawn by its author."),
        "duplicate": _("The moderators marked this a duplicate:"),
        "duplicate_link": _("read the discussion where it continues"),
        "locked": _("The moderators locked this thread: it takes no new replies."),
        "superseded": _("Superseded: a later position of the same speaker replaced it, and it no longer counts."),
        "current_position": _("Read the current position"),
        "former_participant": _("Former participant"),
        "reply": _("Reply"),
        "endorse": _("Endorse"),
        "moderate": _("Moderate"),
        "report": _("Report"),
        "verified": _("Verified"),
        "anonymous": _("Anonymous contribution"),
        "name_withheld": _("Published without the name: shown to moderators only"),
        "not_for_publication": _("Not for publication: moderators and negotiators only"),
        "edited": _("edited"),
    }


@cached_per_locale
def consent_choices() -> list[tuple[str, str, str]]:
    """(value, label, hint) for each way a contribution may be published, in the form's order
    (app.discussion.publication.CONSENT_CHOICES)."""
    words = {
        PublicationConsent.NAMED: (
            _("With my name and organisation"),
            _("Everyone can read it and see who wrote it."),
        ),
        PublicationConsent.ORGANISATION_ONLY: (
            _("With my organisation's name only"),
            _("Everyone can read it; your name is shown only to moderators."),
        ),
        PublicationConsent.ANONYMOUS: (
            _("Anonymously"),
            _("Everyone can read it; neither your name nor your organisation is shown, except to moderators."),
        ),
        PublicationConsent.NOT_FOR_PUBLICATION: (
            _("Not for publication"),
            _("Only moderators and EU negotiators can read it, with your name."),
        ),
    }
    return [(consent.value, *words[consent]) for consent in CONSENT_CHOICES]


def topic_label(topic: object) -> str:
    """A topic's label in the reader's language, else English, else its slug."""
    labels: dict[str, str] = getattr(topic, "labels", None) or {}
    return labels.get(current_locale.get()) or labels.get("en") or str(getattr(topic, "slug", ""))
