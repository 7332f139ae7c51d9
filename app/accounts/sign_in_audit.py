"""Refused password sign-ins in the audit log, under the account they tried when it exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.audit.services import SIGN_IN_FAILED, record


async def record_sign_in_attempt(
    db: AsyncSession, email: str, user: User | None, *, throttled: bool = False, address: str | None = None
) -> None:
    """Record a refused password sign-in (a successful one is recorded when the session
    starts). The account, if it exists, becomes the subject, so admins find the attempts
    under the person's email."""
    if user is not None:
        return
    account_key = email.strip().lower()
    subject = await db.scalar(select(User).where(User.email == account_key))
    record(
        db,
        SIGN_IN_FAILED,
        actor=None,
        subject_user=subject,
        address=address,
        details={"email": account_key[:254], "throttled": throttled},
    )
