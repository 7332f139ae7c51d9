"""Single-use, expiring links sent by mail. Only a SHA-256 of the token is stored, so a
leaked table cannot be used to verify, reset or change anything."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import AccountToken, TokenPurpose, User
from app.db import utcnow
from app.i18n import _

LIFETIMES = {
    TokenPurpose.VERIFY_EMAIL: timedelta(hours=48),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
    TokenPurpose.CHANGE_EMAIL: timedelta(hours=24),
}
#: Purposes whose link is only good while the account still has the address it was sent to.
_BOUND_TO_CURRENT_EMAIL = {TokenPurpose.VERIFY_EMAIL, TokenPurpose.RESET_PASSWORD}


class TokenError(Exception):
    """A link that cannot be used; the message says why, for the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  #: unknown, used or expired
        self.message = message


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def issue_token(
    db: AsyncSession, user: User, purpose: TokenPurpose, email: str, lifetime: timedelta | None = None
) -> str:
    """A new link replaces the person's earlier unused ones of the same purpose, so only the
    latest mail works. Returns the raw token, which is never stored."""
    await db.execute(
        delete(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None)
        )
    )
    raw = secrets.token_urlsafe(32)
    db.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(raw),
            email=email,
            expires_at=utcnow() + (lifetime or LIFETIMES[purpose]),
        )
    )
    await db.flush()
    return raw


async def check_token(db: AsyncSession, raw: str, purpose: TokenPurpose) -> AccountToken:
    """The token if it could be used now (for a page that asks to confirm); changes nothing."""
    token = await db.scalar(
        select(AccountToken).where(AccountToken.token_hash == token_hash(raw), AccountToken.purpose == purpose)
    )
    if token is None:
        raise TokenError("unknown", _("This link is not valid. It may have been replaced by a newer one."))
    if token.used_at is not None:
        raise TokenError("used", _("This link has already been used."))
    if _aware(token.expires_at) <= utcnow():
        raise TokenError("expired", _("This link has expired."))
    if purpose in _BOUND_TO_CURRENT_EMAIL:
        user = await db.get(User, token.user_id)
        if user is None or not user.is_active or user.email != token.email:
            raise TokenError("unknown", _("This link is not valid. It may have been replaced by a newer one."))
    return token


async def consume_token(db: AsyncSession, raw: str, purpose: TokenPurpose) -> AccountToken:
    """Use a token once: marking it used is one conditional UPDATE, so two requests racing
    with the same link cannot both succeed."""
    token = await check_token(db, raw, purpose)
    now = utcnow()
    result = await db.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenError("used", _("This link has already been used."))
    token.used_at = now
    return token


async def issued_within(db: AsyncSession, user: User, purpose: TokenPurpose, period: timedelta) -> bool:
    """Whether a link of this purpose went to the person recently (mail is rate-limited)."""
    latest = await db.scalar(
        select(func.max(AccountToken.created_at)).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose
        )
    )
    return latest is not None and _aware(latest) > utcnow() - period


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
