"""Amendments: the wording of a key message a contribution proposes instead of the original."""

from __future__ import annotations

from app.consultation.models import Consultation, KeyMessage
from app.discussion.errors import ContributionError
from app.i18n import _
from app.web.text import strip_footnote_markers

MAX_AMENDMENT_CHARS = 5_000


def proposes_wording(consultation: Consultation, position: str | None) -> bool:
    """Whether contributions with this position carry new wording (seed: amendment_positions)."""
    return position is not None and position in consultation.amendment_positions


def validated_amendment(text: str, position: str | None, consultation: Consultation, message: KeyMessage) -> str | None:
    """The proposed wording, required for the positions that amend and dropped for others
    (a person who switched from "support with amendments" to "support" keeps no stale text)."""
    if not proposes_wording(consultation, position):
        return None
    wording = " ".join(text.split())
    if not wording:
        raise ContributionError("amendment_text", _("Write the wording you propose for this key message."))
    if len(wording) > MAX_AMENDMENT_CHARS:
        raise ContributionError(
            "amendment_text", _("Keep the proposed wording under %(n)s characters.", n=MAX_AMENDMENT_CHARS)
        )
    if wording == " ".join(strip_footnote_markers(message.text).split()):
        raise ContributionError(
            "amendment_text", _("Your wording is the same as the key message. Change the words you want amended.")
        )
    return wording
