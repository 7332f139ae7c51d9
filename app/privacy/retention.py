"""How long records kept for security or delivery live: `roundtable privacy purge` deletes
them after these periods (run it daily from cron). The privacy notice states the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import AccountToken, SignInFailure
from app.db import utcnow
from app.export.storage import KEEP, purge_expired
from app.mail.models import OutgoingMail

#: Refused sign-ins count for the throttle for 15 minutes, and are kept this long so that
#: people (and admins) can see attacks on an account.
SIGN_IN_FAILURE_DAYS = 30
#: Used or expired single-use links.
TOKEN_DAYS = 30
#: Mail that was sent (queued mail is kept until it is sent).
SENT_MAIL_DAYS = 90
#: Files negotiators exported (app.export.storage).
EXPORT_FILE_DAYS = KEEP.days


@dataclass(frozen=True)
class PurgeReport:
    sign_in_failures: int
    tokens: int
    mails: int
    #: Export files past their seven days (app.export.storage.KEEP).
    export_files: int = 0

    def __str__(self) -> str:
        return (
            f"deleted {self.sign_in_failures} sign-in failures, {self.tokens} used or expired links, "
            f"{self.mails} sent mails, {self.export_files} expired export files"
        )


async def purge(db: AsyncSession, *, now: datetime | None = None) -> PurgeReport:
    """Delete what is past its period; the caller commits."""
    now = now or utcnow()
    failures = await db.execute(
        delete(SignInFailure).where(SignInFailure.attempted_at < now - timedelta(days=SIGN_IN_FAILURE_DAYS))
    )
    token_cutoff = now - timedelta(days=TOKEN_DAYS)
    tokens = await db.execute(
        delete(AccountToken).where(or_(AccountToken.used_at < token_cutoff, AccountToken.expires_at < token_cutoff))
    )
    mails = await db.execute(delete(OutgoingMail).where(OutgoingMail.sent_at < now - timedelta(days=SENT_MAIL_DAYS)))
    export_files = await purge_expired(db, now)
    return PurgeReport(_count(failures), _count(tokens), _count(mails), export_files)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
