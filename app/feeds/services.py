"""Atom feeds of recent contributions, always written for the public: a feed reader signs
in as nobody, so publication consent is applied as for an anonymous reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage
from app.discussion.list_order import SortOrder, among_tagged, ordering
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import PUBLIC, listed_for

#: Entries per feed: enough for a reader polling daily on a busy consultation.
FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    contribution: ContributionView
    key_message_ref: str


def _in_feed() -> ColumnElement[bool]:
    return Contribution.status == ContributionStatus.VISIBLE


async def recent_contributions(
    db: AsyncSession, key_message_ids: list[int], *, topic_id: int | None = None
) -> list[FeedEntry]:
    """The newest visible contributions on these key messages, as the public sees them; only
    those tagged with the topic if one is given (as its topic page lists them, from the
    topic's tags)."""
    chosen: ColumnElement[bool]
    if topic_id is not None:
        chosen = Contribution.key_message_id.in_(key_message_ids) & among_tagged(topic_id)
    elif key_message_ids:
        chosen = Contribution.id.in_(_newest_of_each(key_message_ids).scalar_subquery())
    else:  # no key messages, no entries (a UNION of nothing is no query)
        chosen = false()
    query = (
        listing(PUBLIC, KeyMessage.ref)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .where(chosen, _in_feed())
        .order_by(*ordering(SortOrder.NEWEST))
        .limit(FEED_ENTRIES)
    )
    return [FeedEntry(to_view(row, PUBLIC), row[-1]) for row in await db.execute(query)]


def _newest_of_each(key_message_ids: list[int]) -> Select[Any]:
    """The ids of the feed's entries: the newest of each key message (a few entries of its
    index (key_message_id, created_at, id) each), the newest of those. Read together, the
    key messages' contributions were all read and sorted to keep fifty."""
    newest = [
        select(Contribution.id, Contribution.created_at)
        .where(Contribution.key_message_id == key_message_id, _in_feed(), listed_for(PUBLIC))
        .order_by(*ordering(SortOrder.NEWEST))
        .limit(FEED_ENTRIES)
        .subquery()
        for key_message_id in key_message_ids
    ]
    candidates = union_all(*(select(each.c.id, each.c.created_at) for each in newest)).subquery()
    return select(candidates.c.id).order_by(candidates.c.created_at.desc(), candidates.c.id.desc()).limit(FEED_ENTRIES)
