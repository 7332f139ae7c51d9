"""Posting limits per person: so many contributions a minute, and not the same text twice
in a short while. Counted in the database, so every worker shares them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.db import utcnow
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution
from app.i18n import _, ngettext

MINUTE = timedelta(minutes=1)


class LimitSettings(Protocol):
    posting_limit_per_minute: int
    duplicate_text_window_minutes: int


@dataclass(frozen=True)
class PostingLimits:
    """What a person may publish; 0 turns a rule off."""

    #: Positions and replies in any minute (POSTING_LIMIT_PER_MINUTE).
    per_minute: int = 0
    #: Minutes during which the same text is refused (DUPLICATE_TEXT_WINDOW_MINUTES).
    duplicate_window_minutes: int = 0

    @classmethod
    def of(cls, settings: LimitSettings) -> PostingLimits:
        return cls(settings.posting_limit_per_minute, settings.duplicate_text_window_minutes)

    @property
    def active(self) -> bool:
        return self.per_minute > 0 or self.duplicate_window_minutes > 0


#: For writers that are not a person at a form: the factories of tests, loaders.
UNLIMITED = PostingLimits()


async def check_posting_limits(db: AsyncSession, author: User, body: str, limits: PostingLimits) -> None:
    """Refuse a new contribution (ContributionError on the body, so the person's text stays in
    the form) when its author has published `per_minute` contributions in the last minute,
    or published this very text within the window: a flood, a script, or a form sent again
    with a new key. A resent form (same submission key) never reaches this check.

    The author's row is locked first, so the same person's simultaneous posts are counted one
    after the other on PostgreSQL too (SQLite writes are serialised already)."""
    if not limits.active:
        return
    await db.execute(select(User.id).where(User.id == author.id).with_for_update())
    now = utcnow()
    if limits.per_minute > 0:
        _check_rate(await _recent_times(db, author, limits.per_minute), limits.per_minute, now)
    if limits.duplicate_window_minutes > 0:
        await _check_duplicate(db, author, body, limits.duplicate_window_minutes, now)


async def _recent_times(db: AsyncSession, author: User, count: int) -> list[datetime]:
    """When the author's latest `count` contributions were made, newest first."""
    rows = await db.scalars(
        select(Contribution.created_at)
        .where(Contribution.author_id == author.id)
        .order_by(Contribution.created_at.desc())
        .limit(count)
    )
    return list(rows)


def _check_rate(recent: list[datetime], per_minute: int, now: datetime) -> None:
    if len(recent) < per_minute:
        return
    oldest = _aware(recent[-1])
    if oldest <= now - MINUTE:
        return
    seconds = max(1, math.ceil((oldest + MINUTE - now).total_seconds()))
    raise ContributionError(
        "body",
        ngettext(
            "You can publish %(limit)s contribution a minute. Your text is kept: publish it again in "
            "%(seconds)s seconds.",
            "You can publish %(limit)s contributions a minute. Your text is kept: publish it again in "
            "%(seconds)s seconds.",
            per_minute,
            limit=per_minute,
            seconds=seconds,
        ),
    )


async def _check_duplicate(db: AsyncSession, author: User, body: str, minutes: int, now: datetime) -> None:
    same = await db.scalar(
        select(Contribution.id)
        .where(
            Contribution.author_id == author.id,
            Contribution.created_at > now - timedelta(minutes=minutes),
            Contribution.body_source == body,
        )
        .limit(1)
    )
    if same is not None:
        raise ContributionError(
            "body",
            _(
                "You published this same text less than %(minutes)s minutes ago, so it is already on the "
                "site. To add something, change the text.",
                minutes=minutes,
            ),
        )


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
