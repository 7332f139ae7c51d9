"""Server-side sessions: a random token in the cookie, only its hash in the database."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User, UserSession
from app.db import utcnow
from app.security.identity import ANONYMOUS, Identity

SESSION_COOKIE = "rt_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(db: AsyncSession, user: User, *, max_age_seconds: int) -> str:
    """Create a fresh session (a new id at every sign-in, so a planted id is useless)."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(id_hash=_hash(token), user_id=user.id, expires_at=utcnow() + timedelta(seconds=max_age_seconds)))
    await db.flush()
    return token


async def identity_for_token(db: AsyncSession, token: str) -> Identity:
    row = (await db.execute(_session_and_person(), {"id_hash": _hash(token)})).unique().first()
    if row is None:
        return ANONYMOUS
    expires_at, user = row
    if not user.is_active or _aware(expires_at) <= utcnow():
        return ANONYMOUS
    return Identity(user=user)


@functools.cache
def _session_and_person() -> Select[datetime, User]:
    """Every request that carries a session cookie runs it: built once (on first use, when
    every model is mapped), as its options make its cache key dear to compute."""
    return (
        select(UserSession.expires_at, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id_hash == bindparam("id_hash"))
        .options(
            # Each membership and request brings its organisation (lazy="joined" on the model).
            joinedload(User.memberships),
            joinedload(User.role_grants),
            # The pages say when a request to join still waits (the person speaks for themselves).
            joinedload(User.pending_join_requests),
        )
    )


async def end_session(db: AsyncSession, token: str) -> None:
    await db.execute(delete(UserSession).where(UserSession.id_hash == _hash(token)))


async def end_all_sessions(db: AsyncSession, user_id: int) -> None:
    """Sign a person out everywhere, e.g. when their account is disabled."""
    await db.execute(delete(UserSession).where(UserSession.user_id == user_id))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
