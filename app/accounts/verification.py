"""Proving that a person reads mail at their address: a link sent at sign-up (and again on
request, at most once per RESEND_PERIOD), which marks the address verified."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import TokenPurpose, User
from app.accounts.tokens import LIFETIMES, consume_token, issue_token, issued_within
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.db import utcnow
from app.i18n import _, speaking
from app.mail.services import queue_mail
from app.mail.templating import render_text
from app.urls import path_for

RESEND_PERIOD = timedelta(minutes=5)


def account_link(base_url: str, route_name: str, token: str, next_url: str = "") -> str:
    """A link in a mail to the named route; `next_url` (a path on this site) is where it leads afterwards."""
    link = f"{base_url}{path_for(route_name)}?token={token}"
    return f"{link}&next={quote(next_url, safe='/')}" if next_url else link


async def send_verification(db: AsyncSession, user: User, *, base_url: str, next_url: str = "") -> None:
    """Queue a verification link for the person's current address."""
    token = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    with speaking(user.locale):
        body = render_text(
            "verify_email.txt",
            {
                "name": user.display_name,
                "link": account_link(base_url, "verify_email", token, next_url),
                "hours": int(LIFETIMES[TokenPurpose.VERIFY_EMAIL].total_seconds() // 3600),
                "base_url": base_url,
            },
        )
        subject = _("Confirm your email address for Roundtable")
    await queue_mail(db, user.email, subject, body)


async def send_account_exists_notice(db: AsyncSession, email: str, *, base_url: str) -> None:
    """Someone signed up with an address that has an account: its owner is told by mail (the
    page answers as for a new account, so it tells nobody else). At most one notice per
    RESEND_PERIOD, so sign-ups cannot flood the mailbox; each attempt is audited."""
    owner = await db.scalar(select(User).where(User.email == email))
    if owner is None:
        return
    since = utcnow() - RESEND_PERIOD
    recent = await db.scalar(
        select(AuditEvent.id).where(
            AuditEvent.tag == audit.SIGN_UP_EXISTING,
            AuditEvent.subject_user_id == owner.id,
            AuditEvent.created_at >= since,
        )
    )
    audit.record(db, audit.SIGN_UP_EXISTING, actor=None, subject_user=owner)
    if recent is not None:
        return
    # In the owner's language: whoever signed up with their address may read another.
    with speaking(owner.locale):
        body = render_text(
            "account_exists.txt",
            {
                "name": owner.display_name,
                "sign_in": base_url + path_for("sign_in"),
                "reset": base_url + path_for("password_reset"),
                "base_url": base_url,
            },
        )
        subject = _("You already have a Roundtable account")
    await queue_mail(db, owner.email, subject, body)


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
