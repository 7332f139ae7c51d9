"""Posting limits per person: so many contributions a minute, and not the same text twice
in a short while. Counted in the database, so every worker shares them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import null, select
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


async def check_posting_limits(
    db: AsyncSession, author: User, body: str, limits: PostingLimits, *, submission_key: str | None = None
) -> int | None:
    """Refuse a new contribution (ContributionError on the body, so the person's text stays in
    the form) when its author has published `per_minute` contributions in the last minute,
    or published this very text within the window: a flood, a script, or a form sent again
    with a new key. A resent form (same `submission_key`) is never refused: the id of what it
    published is returned instead, for the caller to answer with.

    The author's row is locked first, so the same person's simultaneous posts are counted one
    after the other on PostgreSQL too (SQLite writes are serialised already); the counts are
    read in one statement after it, which sees what such a post committed meanwhile."""
    if not limits.active:
        return None
    await db.execute(select(User.id).where(User.id == author.id).with_for_update())
    now = utcnow()
    already, nth_latest, same_text = (await db.execute(_counts(author, body, limits, submission_key, now))).one()
    if already is not None:
        return int(already)
    if nth_latest is not None:
        _check_rate(_aware(nth_latest), limits.per_minute, now)
    if same_text is not None:
        _refuse_repeat(limits.duplicate_window_minutes)
    return None


def _counts(author: User, body: str, limits: PostingLimits, submission_key: str | None, now: datetime) -> Any:
    """One row: what this form published already, when the author's `per_minute`-th latest
    contribution was made, and one published with this text within the window (each None
    when there is none, or when its rule is off)."""
    mine = Contribution.author_id == author.id
    nothing = null()
    already = select(Contribution.id).where(mine, Contribution.submission_key == submission_key)
    nth_latest = (
        select(Contribution.created_at)
        .where(mine)
        .order_by(Contribution.created_at.desc())
        .offset(limits.per_minute - 1)
    )
    same_text = select(Contribution.id).where(
        mine,
        Contribution.created_at > now - timedelta(minutes=limits.duplicate_window_minutes),
        Contribution.body_source == body,
    )
    return select(
        already.scalar_subquery() if submission_key is not None else nothing,
        nth_latest.limit(1).scalar_subquery() if limits.per_minute > 0 else nothing,
        same_text.limit(1).scalar_subquery() if limits.duplicate_window_minutes > 0 else nothing,
    )


def _check_rate(nth_latest: datetime, per_minute: int, now: datetime) -> None:
    """Refuse when the author's `per_minute`-th latest contribution is less than a minute old."""
    if nth_latest <= now - MINUTE:
        return
    seconds = max(1, math.ceil((nth_latest + MINUTE - now).total_seconds()))
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


def _refuse_repeat(minutes: int) -> None:
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
