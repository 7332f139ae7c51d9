"""Resetting a forgotten password by an emailed link: the request never reveals whether an
account exists, a link works once within an hour, and using it ends every session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import throttle
from app.accounts.models import TokenPurpose, User
from app.accounts.passwords_policy import password_problem
from app.accounts.services import AccountError, normalise_email
from app.accounts.sessions import end_all_sessions
from app.accounts.tokens import LIFETIMES, check_token, consume_token, issue_token, issued_within
from app.accounts.verification import account_link
from app.db import utcnow
from app.i18n import _, speaking
from app.mail.services import queue_mail
from app.mail.templating import render_text
from app.security.passwords import hash_password

MAIL_PERIOD = timedelta(minutes=5)


async def request_password_reset(db: AsyncSession, email: str, *, base_url: str) -> None:
    """Queue a reset link if an active account has this address and none was sent within
    MAIL_PERIOD; otherwise do nothing. The caller answers the same either way."""
    user = await db.scalar(select(User).where(User.email == normalise_email(email), User.is_active.is_(True)))
    if user is None or await issued_within(db, user, TokenPurpose.RESET_PASSWORD, MAIL_PERIOD):
        return
    token = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    # In the account's language: whoever asked may read another.
    with speaking(user.locale):
        body = render_text(
            "password_reset.txt",
            {
                "name": user.display_name,
                "link": account_link(base_url, "password_reset_confirm", token),
                "minutes": int(LIFETIMES[TokenPurpose.RESET_PASSWORD].total_seconds() // 60),
                "base_url": base_url,
            },
        )
        subject = _("Reset your Roundtable password")
    await queue_mail(db, user.email, subject, body)


async def reset_password(db: AsyncSession, raw_token: str, new_password: str) -> User:
    """Set a new password with a reset link. The link proves the person reads their mail, so
    the address becomes verified; every session ends, since someone else may hold one.
    Its sign-in failures are forgotten too: whoever holds the link is the person, wherever
    they are. Raises TokenError for a bad link and AccountError for an unacceptable password
    (the link then still works)."""
    token = await check_token(db, raw_token, TokenPurpose.RESET_PASSWORD)
    user = await db.get(User, token.user_id)
    assert user is not None  # check_token found the account
    problem = password_problem(new_password, email=user.email, name=user.display_name)
    if problem is not None:
        raise AccountError("password", problem)
    await consume_token(db, raw_token, TokenPurpose.RESET_PASSWORD)
    user.password_hash = await hash_password(new_password)
    user.email_verified_at = user.email_verified_at or utcnow()
    await end_all_sessions(db, user.id)
    await throttle.clear_failures(db, user.email, everywhere=True)
    await db.flush()
    return user
