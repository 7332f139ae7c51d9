"""Topics: each consultation's controlled vocabulary, and the tags on contributions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Topic
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionTopic
from app.i18n import _


async def validated_topics(db: AsyncSession, consultation_id: int, slugs: tuple[str, ...]) -> list[Topic]:
    """The consultation's topics named by `slugs`; an unknown slug is an error."""
    wanted = set(slugs)
    if not wanted:
        return []
    topics = list(
        (await db.scalars(select(Topic).where(Topic.consultation_id == consultation_id, Topic.slug.in_(wanted)))).all()
    )
    if len(topics) != len(wanted):
        raise ContributionError("topics", _("Choose topics from the list."))
    return topics


async def tag(db: AsyncSession, contribution: Contribution, topics: list[Topic]) -> None:
    for topic in topics:
        db.add(ContributionTopic(contribution_id=contribution.id, topic_id=topic.id))
    await db.flush()
