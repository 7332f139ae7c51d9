"""Hiding and restoring contributions. Every real transition is logged with its reason;
asking for the state a contribution is already in changes and logs nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionStatus
from app.i18n import _
from app.moderation.models import ModerationAction, ModerationLogEntry

MIN_REASON_CHARS = 5
MAX_REASON_CHARS = 1000


class ModerationError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def validate_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ModerationError("reason", _("Explain the decision in a few words; readers will see it."))
    if len(reason) > MAX_REASON_CHARS:
        raise ModerationError("reason", _("Keep the reason under %(n)s characters.", n=MAX_REASON_CHARS))
    return reason


async def set_visibility(
    db: AsyncSession, *, moderator: User, contribution: Contribution, action: ModerationAction, reason: str
) -> bool:
    """Apply `action`; returns False (and logs nothing) when nothing would change."""
    reason = validate_reason(reason)
    if contribution.status is ContributionStatus.WITHDRAWN:
        raise ModerationError("action", _("Its author withdrew this contribution: there is nothing left to moderate."))
    target = ContributionStatus.HIDDEN if action is ModerationAction.HIDE else ContributionStatus.VISIBLE
    if contribution.status is target:
        return False
    contribution.status = target
    contribution.moderation_reason = reason if target is ContributionStatus.HIDDEN else None
    await mark_discussion_changed(db, contribution.key_message_id)
    db.add(
        ModerationLogEntry(
            contribution_id=contribution.id,
            moderator_id=moderator.id,
            action=action,
            tag=f"moderation:contribution:{action.value}",
            reason=reason,
        )
    )
    await db.flush()
    return True


async def moderation_history(db: AsyncSession, contribution_id: int) -> list[ModerationLogEntry]:
    return list(
        (
            await db.scalars(
                select(ModerationLogEntry)
                .options(joinedload(ModerationLogEntry.moderator))
                .where(ModerationLogEntry.contribution_id == contribution_id)
                .order_by(ModerationLogEntry.created_at, ModerationLogEntry.id)
            )
        ).all()
    )
