"""A person's own contributions, newest first, a page at a time, with what they may still do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from babel.dates import format_time
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage, Topic
from app.discussion.contribution_edit import AuthorActions, author_actions
from app.discussion.list_order import newest_first_page, time_cursor
from app.discussion.models import Contribution
from app.discussion.publication import PUBLIC, is_listed_for
from app.discussion.topic_read import topics_among
from app.i18n import BRUSSELS, current_locale, utc_offset

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class OwnContribution:
    contribution: Contribution
    key_message_ref: str
    consultation_slug: str
    actions: AuthorActions

    @property
    def is_public(self) -> bool:
        """Everyone may read it (app.discussion.publication)."""
        return is_listed_for(self.contribution.publication, PUBLIC)

    @property
    def excerpt(self) -> str:
        text = " ".join(self.contribution.body_source.split())
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class OwnPage:
    items: list[OwnContribution]
    next_cursor: str | None


async def own_topics(db: AsyncSession, author_id: int) -> list[Topic]:
    """The topics of the person's contributions: the choices of the list's topic filter."""
    return await topics_among(db, select(Contribution.id).where(Contribution.author_id == author_id))


async def own_contributions(
    db: AsyncSession,
    author_id: int,
    *,
    cursor: str | None,
    topic: str | None = None,
    page_size: int,
    window_minutes: int,
    now: datetime,
) -> OwnPage:
    """Newest first, keyset-paged, only those on `topic` (a slug) if one is given."""
    mine = (
        select(Contribution, KeyMessage.ref, Consultation)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .where(Contribution.author_id == author_id)
    )
    rows = (await db.execute(newest_first_page(mine, cursor=cursor, topic=topic, page_size=page_size))).all()
    items = [
        OwnContribution(
            contribution,
            ref,
            consultation.slug,
            author_actions(contribution, consultation, window_minutes=window_minutes, now=now),
        )
        for contribution, ref, consultation in rows[:page_size]
    ]
    if len(rows) <= page_size:
        return OwnPage(items, None)
    last = items[-1].contribution
    return OwnPage(items, time_cursor(last.created_at, last.id))


def time_of_day(moment: datetime) -> str:
    """A time of day in Brussels with its offset: "14:35 (UTC+01:00)" (edit deadlines are
    within the hour)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BRUSSELS)
    return f"{format_time(local, 'short', tzinfo=BRUSSELS, locale=current_locale.get())} ({utc_offset(local)})"
