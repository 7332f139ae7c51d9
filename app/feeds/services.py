"""Atom feeds of recent contributions, always written for the public: a feed reader signs
in as nobody, so publication consent is applied as for an anonymous reader."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage
from app.discussion.contribution_views import ContributionView, listing, to_view
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC

#: Entries per feed: enough for a reader polling daily on a busy consultation.
FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    contribution: ContributionView
    key_message_ref: str


async def recent_contributions(db: AsyncSession, key_message_ids: list[int]) -> list[FeedEntry]:
    """The newest visible contributions on these key messages, as the public sees them."""
    rows = await db.execute(
        listing(PUBLIC, KeyMessage.ref)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .where(Contribution.key_message_id.in_(key_message_ids), Contribution.status == ContributionStatus.VISIBLE)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(FEED_ENTRIES)
    )
    return [FeedEntry(to_view(row, PUBLIC), row[-1]) for row in rows]
