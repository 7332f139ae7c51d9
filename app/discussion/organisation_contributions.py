"""The contributions an organisation's public profile lists: published, visible, signed with
the organisation's name by consent (app.discussion.publication), newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, ConsultationStatus, KeyMessage, Topic
from app.discussion.list_order import newest_first_page, time_cursor
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC, names_organisation
from app.discussion.topic_read import topics_among
from app.organisations.models import Organisation


@dataclass(frozen=True)
class ContributionLink:
    id: int
    position: str | None
    created_at: datetime
    consultation_slug: str
    key_message_ref: str


@dataclass
class ContributionsPage:
    items: list[ContributionLink] = field(default_factory=list)
    next_cursor: str | None = None


def _listed_on_profile(organisation: Organisation) -> Select[int]:
    """Visible contributions made on the organisation's behalf in published consultations. Only
    those published under the organisation's name: an anonymous one listed here would name it."""
    return (
        select(Contribution.id)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .where(
            Contribution.organisation_id == organisation.id,
            Contribution.status == ContributionStatus.VISIBLE,
            names_organisation(PUBLIC),
            Consultation.status != ConsultationStatus.DRAFT,
        )
    )


async def profile_topics(db: AsyncSession, organisation: Organisation) -> list[Topic]:
    """The topics of the contributions the profile lists: the choices of its topic filter."""
    return await topics_among(db, _listed_on_profile(organisation))


async def public_contributions(
    db: AsyncSession,
    organisation: Organisation,
    *,
    cursor: str | None,
    topic: str | None = None,
    page_size: int,
) -> ContributionsPage:
    """The contributions the profile lists, newest first, keyset-paged by (created_at, id),
    only those on `topic` (a slug) if one is given."""
    listed = _listed_on_profile(organisation).with_only_columns(
        Contribution.id, Contribution.position, Contribution.created_at, Consultation.slug, KeyMessage.ref
    )
    query = newest_first_page(listed, cursor=cursor, topic=topic, page_size=page_size)
    items = [ContributionLink(*row) for row in await db.execute(query)]
    page = ContributionsPage(items[:page_size])
    if len(items) > page_size:
        last = page.items[-1]
        page.next_cursor = time_cursor(last.created_at, last.id)
    return page
