"""Proving that a person reads mail at their address: a link sent at sign-up (and again on
request, at most once per RESEND_PERIOD), which marks the address verified."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import TokenPurpose, User
from app.accounts.tokens import LIFETIMES, consume_token, issue_token, issued_within
from app.audit import services as audit
from app.db import utcnow
from app.i18n import _
from app.mail.services import queue_mail
from app.mail.templating import render_text

RESEND_PERIOD = timedelta(minutes=5)


def account_link(base_url: str, path: str, token: str) -> str:
    return f"{base_url}{path}?token={token}"


async def send_verification(db: AsyncSession, user: User, *, base_url: str) -> None:
    """Queue a verification link for the person's current address."""
    token = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    body = render_text(
        "verify_email.txt",
        {
            "name": user.display_name,
            "link": account_link(base_url, "/account/verify", token),
            "hours": int(LIFETIMES[TokenPurpose.VERIFY_EMAIL].total_seconds() // 3600),
            "base_url": base_url,
        },
    )
    await queue_mail(db, user.email, _("Confirm your email address for Roundtable"), body)


async def resend_verification(db: AsyncSession, user: User, *, base_url: str) -> bool:
    """Send the link again unless one went out within RESEND_PERIOD (so the button cannot
    be used to flood a mailbox). Returns whether a mail was queued."""
    if user.email_verified_at is not None or await issued_within(db, user, TokenPurpose.VERIFY_EMAIL, RESEND_PERIOD):
        return False
    await send_verification(db, user, base_url=base_url)
    return True


async def verify_email(db: AsyncSession, raw_token: str) -> User:
    """Use a verification link; raises TokenError when it is unknown, used or expired."""
    token = await consume_token(db, raw_token, TokenPurpose.VERIFY_EMAIL)
    user = await db.get(User, token.user_id)
    assert user is not None  # check_token found the account
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(db, audit.EMAIL_VERIFIED, actor=user, subject_user=user)
    await db.flush()
    return user
