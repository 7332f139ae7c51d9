"""Moderators close threads: lock one (it takes no new replies) or mark a contribution a
duplicate of another (readers are sent where the discussion is; a duplicate thread is
locked too). Both are logged decisions that answer the contribution's reports.

A lock is written on every contribution of the thread (Contribution.locked_at): the reply
form, the refusal of a reply and every rendered article read it from the row itself. The
update moves the thread's version (its triggers), so stored pages show the lock at once."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.db import utcnow
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionStatus
from app.i18n import _
from app.moderation.models import ModerationAction, ModerationLogEntry
from app.moderation.services import ModerationError, consultation_of, contribution_number, log_decision, validate_reason


def thread_root_of(contribution: Contribution) -> int:
    return contribution.thread_root_id or contribution.id


async def set_thread_lock(
    db: AsyncSession, *, moderator: User, contribution: Contribution, lock: bool, reason: str, rule: str | None = None
) -> ModerationLogEntry | None:
    """Lock or unlock the contribution's thread; None (nothing logged) when it already was."""
    reason = validate_reason(reason)
    # The root's row, locked (PostgreSQL; SQLite's writers queue): of two moderators locking
    # at once, the second finds it locked and logs nothing.
    root_locked_at = await db.scalar(
        select(Contribution.locked_at).where(Contribution.id == thread_root_of(contribution)).with_for_update()
    )
    if (root_locked_at is not None) == lock:
        return None
    await _lock(db, contribution, lock=lock)
    action = ModerationAction.LOCK if lock else ModerationAction.UNLOCK
    return await log_decision(
        db, moderator=moderator, contribution=contribution, action=action, reason=reason, rule=rule
    )


async def mark_duplicate(
    db: AsyncSession,
    *,
    moderator: User,
    contribution: Contribution,
    original: str,
    reason: str,
    rule: str | None = None,
) -> ModerationLogEntry:
    """Mark the contribution a duplicate of `original` (as the moderator typed it), a shown
    contribution of the same consultation; a top-level one's thread is locked too."""
    reason = validate_reason(reason)
    target = await _original(db, contribution, original)
    contribution.duplicate_of_id = target.id
    if contribution.parent_id is None and contribution.locked_at is None:
        await _lock(db, contribution, lock=True)
    else:
        await mark_discussion_changed(db, contribution.key_message_id)
    entry = await log_decision(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.DUPLICATE, reason=reason, rule=rule
    )
    entry.details = {"duplicate_of": target.id}
    return entry


async def _lock(db: AsyncSession, contribution: Contribution, *, lock: bool) -> None:
    root = thread_root_of(contribution)
    locked_at = utcnow() if lock else None
    await db.execute(
        update(Contribution)
        .where(or_(Contribution.id == root, Contribution.thread_root_id == root))
        .values(locked_at=locked_at)
        .execution_options(synchronize_session=False)
    )
    contribution.locked_at = locked_at
    await mark_discussion_changed(db, contribution.key_message_id)


async def _original(db: AsyncSession, contribution: Contribution, typed: str) -> Contribution:
    number = contribution_number(typed)
    if number is None:
        raise ModerationError("duplicate_of", _("Give the number or the address of the contribution it repeats."))
    target = await db.get(Contribution, number)
    same_consultation = target is not None and await consultation_of(db, target) == await consultation_of(
        db, contribution
    )
    if target is None or not same_consultation or target.status is not ContributionStatus.VISIBLE:
        raise ModerationError("duplicate_of", _("There is no such contribution shown in this consultation."))
    if target.id == contribution.id:
        raise ModerationError("duplicate_of", _("A contribution cannot repeat itself: give another one."))
    return target
