"""Atom feeds of recent contributions, always written for the public: a feed reader signs
in as nobody, so publication consent is applied as for an anonymous reader."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage
from app.discussion.list_order import SortOrder, ordering, tagged_with
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import PUBLIC

#: Entries per feed: enough for a reader polling daily on a busy consultation.
FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    contribution: ContributionView
    key_message_ref: str


async def recent_contributions(
    db: AsyncSession, key_message_ids: list[int], *, topic_id: int | None = None
) -> list[FeedEntry]:
    """The newest visible contributions on these key messages, as the public sees them; only
    those tagged with the topic if one is given (as its topic page lists them)."""
    query = (
        listing(PUBLIC, KeyMessage.ref)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .where(Contribution.key_message_id.in_(key_message_ids), Contribution.status == ContributionStatus.VISIBLE)
        .order_by(*ordering(SortOrder.NEWEST))
        .limit(FEED_ENTRIES)
    )
    if topic_id is not None:
        query = query.where(tagged_with(topic_id))
    return [FeedEntry(to_view(row, PUBLIC), row[-1]) for row in await db.execute(query)]
