"""Changing one's email address: the new address must confirm by link before it replaces
the old one, and the old address is told, so a hijacked session is noticed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import TokenPurpose, User
from app.accounts.services import EMAIL_PATTERN, AccountError, normalise_email
from app.accounts.tokens import LIFETIMES, check_token, consume_token, issue_token
from app.accounts.verification import account_link
from app.db import utcnow
from app.i18n import _, speaking
from app.mail.services import queue_mail
from app.mail.templating import render_text
from app.security.passwords import verify_password


async def _email_taken(db: AsyncSession, email: str) -> bool:
    return await db.scalar(select(User.id).where(User.email == email)) is not None


async def request_email_change(db: AsyncSession, user: User, new_email: str, password: str, *, base_url: str) -> str:
    """Send a confirmation link to the new address and a notice to the current one; the
    current password is required, so an unattended browser cannot take the account over.
    Returns the new address (normalised); raises AccountError naming the field at fault."""
    email = normalise_email(new_email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise AccountError("new_email", _("Enter an email address like name@example.org."))
    if email == user.email:
        raise AccountError("new_email", _("This is already your email address."))
    if not await verify_password(user.password_hash, password):
        raise AccountError("password", _("The password is not right."))
    if await _email_taken(db, email):
        raise AccountError("new_email", _("An account with this email address already exists."))
    token = await issue_token(db, user, TokenPurpose.CHANGE_EMAIL, email)
    context = {
        "name": user.display_name,
        "old_email": user.email,
        "new_email": email,
        "link": account_link(base_url, "confirm_email", token),
        "hours": int(LIFETIMES[TokenPurpose.CHANGE_EMAIL].total_seconds() // 3600),
        "base_url": base_url,
    }
    with speaking(user.locale):
        confirm = (_("Confirm your new email address for Roundtable"), render_text("change_email.txt", context))
        notice = (_("Your Roundtable email address is being changed"), render_text("change_email_notice.txt", context))
    await queue_mail(db, email, *confirm)
    await queue_mail(db, user.email, *notice)
    return email


async def confirm_email_change(db: AsyncSession, raw_token: str) -> User:
    """Replace the address with the confirmed one, now verified. Raises TokenError for a bad
    link, AccountError if the address was taken by someone else meanwhile; either way before
    anything is written."""
    token = await check_token(db, raw_token, TokenPurpose.CHANGE_EMAIL)
    user = await db.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AccountError("email", _("This account is no longer active."))
    if await _email_taken(db, token.email):
        raise AccountError("email", _("An account with this email address already exists."))
    await consume_token(db, raw_token, TokenPurpose.CHANGE_EMAIL)
    user.email = token.email
    user.email_verified_at = utcnow()
    await db.flush()
    return user
