"""Topics: each consultation's controlled vocabulary, and the tags on contributions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Topic
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionTopic
from app.i18n import _

#: A contribution tagged with more topics than this is about everything, so about nothing.
MAX_TOPICS = 5


async def validated_topics(db: AsyncSession, consultation_id: int, slugs: tuple[str, ...]) -> list[Topic]:
    """The consultation's topics named by `slugs`, at most MAX_TOPICS; an unknown slug is an error."""
    wanted = _wanted(slugs)
    if not wanted:
        return []
    topics = list(
        (
            await db.scalars(
                select(Topic)
                .where(Topic.consultation_id == consultation_id, Topic.slug.in_(wanted))
                .order_by(Topic.position)
            )
        ).all()
    )
    return _all_found(topics, wanted)


def chosen_topics(vocabulary: Iterable[Topic], slugs: tuple[str, ...]) -> list[Topic]:
    """As validated_topics, from a consultation's vocabulary already loaded (in its order):
    no query."""
    wanted = _wanted(slugs)
    return _all_found([topic for topic in vocabulary if topic.slug in wanted], wanted)


def _wanted(slugs: tuple[str, ...]) -> set[str]:
    wanted = set(slugs)
    if len(wanted) > MAX_TOPICS:
        raise ContributionError(
            "topics", _("Choose at most %(n)s topics; you chose %(chosen)s.", n=MAX_TOPICS, chosen=len(wanted))
        )
    return wanted


def _all_found(topics: list[Topic], wanted: set[str]) -> list[Topic]:
    if len(topics) != len(wanted):
        raise ContributionError("topics", _("Choose topics from the list."))
    return topics


async def tag(db: AsyncSession, contribution: Contribution, topics: list[Topic]) -> None:
    for topic in topics:
        db.add(ContributionTopic(contribution_id=contribution.id, topic_id=topic.id))
    await db.flush()


async def topic_slugs_of(db: AsyncSession, contribution_id: int) -> list[str]:
    """The slugs a contribution is tagged with, in vocabulary order."""
    return list(
        await db.scalars(
            select(Topic.slug)
            .join(ContributionTopic, ContributionTopic.topic_id == Topic.id)
            .where(ContributionTopic.contribution_id == contribution_id)
            .order_by(Topic.position)
        )
    )


async def replace_tags(db: AsyncSession, contribution: Contribution, topics: list[Topic]) -> None:
    """Tag the contribution with exactly `topics`: tags kept stay, others go, new ones come."""
    wanted = {topic.id for topic in topics}
    current = set(
        await db.scalars(select(ContributionTopic.topic_id).where(ContributionTopic.contribution_id == contribution.id))
    )
    if current - wanted:
        await db.execute(
            delete(ContributionTopic).where(
                ContributionTopic.contribution_id == contribution.id,
                ContributionTopic.topic_id.in_(sorted(current - wanted)),
            )
        )
    await tag(db, contribution, [topic for topic in topics if topic.id not in current])


def topic_named(topics: Iterable[Topic], slug: str | None) -> Topic | None:
    """The topic of this slug among `topics` (a consultation's vocabulary, or the choices of a
    list's filter), as in `?topic=`; an unknown or empty slug names none, so filters nothing."""
    return next((topic for topic in topics if topic.slug == slug), None) if slug else None
