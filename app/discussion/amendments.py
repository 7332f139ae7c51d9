"""Amendments: the wording of a key message a contribution proposes instead of the original."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import Audience, listed_for
from app.discussion.thread_read import ContributionView, listing, to_view
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


#: Amendments shown side by side on a key message page; the rest are a link away.
AMENDMENTS_SHOWN = 6


@dataclass
class AmendmentSummary:
    shown: list[ContributionView]  #: the most endorsed first
    total: int


async def proposed_amendments(
    db: AsyncSession, consultation: Consultation, message: KeyMessage, audience: Audience
) -> AmendmentSummary:
    """The visible amendments to a key message, most endorsed first."""
    positions = list(consultation.amendment_positions)
    if not positions:
        return AmendmentSummary([], 0)
    condition = (
        Contribution.key_message_id == message.id,
        Contribution.parent_id.is_(None),
        Contribution.position.in_(positions),
        Contribution.status == ContributionStatus.VISIBLE,
        Contribution.amendment_text.is_not(None),
        listed_for(audience),
    )
    rows = await db.execute(
        listing(audience)
        .where(*condition)
        .order_by(Contribution.endorsement_count.desc(), Contribution.created_at, Contribution.id)
        .limit(AMENDMENTS_SHOWN)
    )
    shown = [to_view(row, audience) for row in rows]
    total = await db.scalar(select(func.count()).select_from(Contribution).where(*condition)) or 0
    return AmendmentSummary(shown, total)
