"""Anchored comments: a contribution quotes a passage of the key message it is on."""

from __future__ import annotations

from dataclasses import dataclass

from app.consultation.models import KeyMessage
from app.discussion.errors import ContributionError
from app.i18n import _
from app.web.text import strip_footnote_markers


@dataclass(frozen=True)
class Quote:
    text: str
    #: Offset of the passage in the key message text without footnote markers.
    start: int


def validated_quote(text: str, message: KeyMessage) -> Quote | None:
    """The passage must appear word for word in the key message; empty means no quote."""
    passage = text.strip()
    if not passage:
        return None
    plain = strip_footnote_markers(message.text)
    start = plain.find(passage)
    if start < 0:
        raise ContributionError("quote_text", _("The quoted passage must be copied exactly from the key message text."))
    return Quote(passage, start)
