"""Reading by topic: how many contributions each topic has, and one topic's contributions
across a whole consultation, newest first, a page at a time.

Only visible contributions are counted and listed (removed and withdrawn ones stay as markers
in their threads), and only those the audience may see at all (publication consent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, Topic
from app.discussion.list_order import SortOrder, after_cursor, among_tagged, encode_cursor, ordering
from app.discussion.models import Contribution, ContributionStatus, ContributionTopic
from app.discussion.presenters import attach_extras, listing, to_view
from app.discussion.publication import Audience, listed_for
from app.discussion.thread_read import Node, ThreadPage

#: A topic page reads like news: the latest contributions first.
TOPIC_ORDER = SortOrder.NEWEST


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: Topic
    contributions: int


async def topics_among(db: AsyncSession, contribution_ids: Select[int]) -> list[Topic]:
    """The topics these contributions are tagged with, one per slug, in vocabulary order: the
    choices of the topic filter on a list that spans consultations."""
    tagged: Select[int] = select(ContributionTopic.topic_id).where(
        ContributionTopic.contribution_id.in_(contribution_ids)
    )
    if db.get_bind().dialect.name == "postgresql":
        # Each contribution's tags looked up by its key: as an IN, PostgreSQL may hash the whole
        # table of tags once an organisation has a few thousand contributions (OFFSET 0 keeps the
        # LATERAL a lookup per contribution). SQLite already probes the key per contribution.
        listed = contribution_ids.subquery()
        tags = (
            select(ContributionTopic.topic_id)
            .where(ContributionTopic.contribution_id == listed.c.id)
            .offset(0)
            .lateral()
        )
        tagged = select(tags.c.topic_id).select_from(listed).join(tags, true())
    topics = await db.scalars(select(Topic).where(Topic.id.in_(tagged)).order_by(Topic.position, Topic.id))
    by_slug: dict[str, Topic] = {}
    for topic in topics:
        by_slug.setdefault(topic.slug, topic)
    return list(by_slug.values())


def _shown_to(audience: Audience) -> ColumnElement[bool]:
    return and_(Contribution.status == ContributionStatus.VISIBLE, listed_for(audience))


async def topic_counts(db: AsyncSession, consultation: Consultation, audience: Audience) -> list[TopicCount]:
    """Every topic of the vocabulary, in order, with the contributions on it the audience sees.

    The consultation's tags are counted, each contribution looked up by its key (OFFSET 0 keeps
    it a lookup): joined, PostgreSQL read the whole table of contributions to count them."""
    shown = (
        select(Contribution.id)
        .where(Contribution.id == ContributionTopic.contribution_id, _shown_to(audience))
        .offset(0)
        .exists()
    )
    rows = await db.execute(
        select(ContributionTopic.topic_id, func.count())
        .where(ContributionTopic.topic_id.in_([topic.id for topic in consultation.topics]), shown)
        .group_by(ContributionTopic.topic_id)
    )
    counts: dict[int, int] = {topic_id: count for topic_id, count in rows}
    return [TopicCount(topic, counts.get(topic.id, 0)) for topic in consultation.topics]


async def count_on_topic(db: AsyncSession, topic: Topic, audience: Audience) -> int:
    count = await db.scalar(
        select(func.count()).select_from(Contribution).where(among_tagged(topic.id), _shown_to(audience))
    )
    return count or 0


async def contributions_on_topic(
    db: AsyncSession, topic: Topic, *, cursor: str | None, page_size: int, audience: Audience
) -> ThreadPage:
    """A page of the contributions tagged with `topic` (positions and replies alike), newest
    first, each on its own: its thread is a link away."""
    after = after_cursor(TOPIC_ORDER, cursor)
    views = [
        to_view(row, audience)
        for row in await db.execute(
            listing(audience)
            .where(among_tagged(topic.id), _shown_to(audience), true() if after is None else after)
            .order_by(*ordering(TOPIC_ORDER))
            .limit(page_size + 1)
        )
    ]
    has_more = len(views) > page_size
    views = views[:page_size]
    await attach_extras(db, views)
    return ThreadPage([Node(view) for view in views], encode_cursor(TOPIC_ORDER, views[-1]) if has_more else None)
