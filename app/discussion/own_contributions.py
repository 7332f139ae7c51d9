"""A person's own contributions, newest first, a page at a time, with what they may still do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from babel.dates import format_time
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage
from app.discussion.contribution_edit import AuthorActions, author_actions
from app.discussion.models import Contribution
from app.i18n import current_locale

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class OwnContribution:
    contribution: Contribution
    key_message_ref: str
    consultation_slug: str
    actions: AuthorActions

    @property
    def excerpt(self) -> str:
        text = " ".join(self.contribution.body_source.split())
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class OwnPage:
    items: list[OwnContribution]
    next_cursor: str | None


def _cursor(contribution: Contribution) -> str:
    return f"{contribution.created_at.isoformat()}_{contribution.id}"


def _before(cursor: str | None):  # type: ignore[no-untyped-def]
    """Contributions older than the cursor's (keyset paging: no OFFSET, stable under inserts)."""
    try:
        timestamp, _sep, identifier = (cursor or "").rpartition("_")
        created_at, last_id = datetime.fromisoformat(timestamp), int(identifier)
    except ValueError:
        return True
    return or_(
        Contribution.created_at < created_at, and_(Contribution.created_at == created_at, Contribution.id < last_id)
    )


async def own_contributions(
    db: AsyncSession, author_id: int, *, cursor: str | None, page_size: int, window_minutes: int, now: datetime
) -> OwnPage:
    rows = (
        await db.execute(
            select(Contribution, KeyMessage.ref, Consultation)
            .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
            .join(Consultation, Consultation.id == KeyMessage.consultation_id)
            .where(Contribution.author_id == author_id, _before(cursor))
            .order_by(Contribution.created_at.desc(), Contribution.id.desc())
            .limit(page_size + 1)
        )
    ).all()
    items = [
        OwnContribution(
            contribution,
            ref,
            consultation.slug,
            author_actions(contribution, consultation, window_minutes=window_minutes, now=now),
        )
        for contribution, ref, consultation in rows[:page_size]
    ]
    has_more = len(rows) > page_size
    return OwnPage(items, _cursor(items[-1].contribution) if has_more else None)


def time_utc(moment: datetime) -> str:
    """A time of day in UTC, with the zone: "14:35 UTC" (edit deadlines are within the hour)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_time(moment, "short", tzinfo=UTC, locale=current_locale.get()) + " UTC"
