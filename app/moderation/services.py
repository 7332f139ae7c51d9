"""Hiding and restoring contributions, and correcting their topics. Every real change is
logged with its reason; asking for what a contribution already is changes and logs nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.consultation.models import KeyMessage
from app.db import utcnow
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.topics import replace_tags, topic_slugs_of, validated_topics
from app.i18n import _
from app.moderation.models import ModerationAction, ModerationLogEntry, QueueItem, QueueReason

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
    db: AsyncSession,
    *,
    moderator: User,
    contribution: Contribution,
    action: ModerationAction,
    reason: str,
    rule: str | None = None,
) -> ModerationLogEntry | None:
    """Apply `action` (hide or restore) and log it; returns None (and logs nothing) when
    nothing would change. The contribution's waiting queue items close with the decision."""
    reason = validate_reason(reason)
    if contribution.status is ContributionStatus.WITHDRAWN:
        raise ModerationError("action", _("Its author withdrew this contribution: there is nothing left to moderate."))
    target = ContributionStatus.HIDDEN if action is ModerationAction.HIDE else ContributionStatus.VISIBLE
    if contribution.status is target:
        return None
    contribution.status = target
    contribution.moderation_reason = reason if target is ContributionStatus.HIDDEN else None
    await mark_discussion_changed(db, contribution.key_message_id)
    return await log_decision(
        db, moderator=moderator, contribution=contribution, action=action, reason=reason, rule=rule
    )


async def hold(
    db: AsyncSession,
    *,
    moderator: User,
    item: QueueItem,
    contribution: Contribution,
    reason: str,
    rule: str | None = None,
) -> ModerationLogEntry:
    """Hide a reported contribution while the moderators look into it: readers see it hidden
    with the reason, the tallies stop counting it, and its waiting item stays in the queue,
    where the final decision (confirm_hold, or restoring it) closes it. The caller checked
    that a hold applies (a visible contribution, an item not on hold)."""
    contribution.status = ContributionStatus.HIDDEN
    contribution.moderation_reason = reason
    await mark_discussion_changed(db, contribution.key_message_id)
    entry = await record_decision(
        db,
        moderator=moderator,
        action=ModerationAction.HOLD,
        reason=reason,
        consultation_id=item.consultation_id,
        contribution_id=contribution.id,
        rule=rule,
    )
    item.hold_id = entry.id
    return entry


async def confirm_hold(
    db: AsyncSession, *, moderator: User, contribution: Contribution, reason: str, rule: str | None = None
) -> ModerationLogEntry:
    """The final decision on a contribution on hold: hidden for good. It is hidden already;
    the decision is logged as a HIDE (the one the author may appeal), its reason becomes the
    one readers see, and the waiting items close."""
    contribution.moderation_reason = reason
    await mark_discussion_changed(db, contribution.key_message_id)
    return await log_decision(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.HIDE, reason=reason, rule=rule
    )


async def log_decision(
    db: AsyncSession,
    *,
    moderator: User,
    contribution: Contribution,
    action: ModerationAction,
    reason: str,
    rule: str | None = None,
) -> ModerationLogEntry:
    """Log a decision on the contribution and close its waiting queue items with it: readers'
    reports are answered by any decision, taken from the queue or from the discussion."""
    entry = await record_decision(
        db,
        moderator=moderator,
        action=action,
        reason=reason,
        consultation_id=await consultation_of(db, contribution),
        contribution_id=contribution.id,
        rule=rule,
    )
    await db.execute(
        update(QueueItem)
        .where(QueueItem.contribution_id == contribution.id, QueueItem.decided_at.is_(None))
        .values(decided_at=utcnow(), decision_id=entry.id)
    )
    await forget_reasons(db, entry.id)
    return entry


async def record_decision(
    db: AsyncSession,
    *,
    moderator: User,
    action: ModerationAction,
    reason: str,
    consultation_id: int,
    contribution_id: int | None,
    held_id: int | None = None,
    rule: str | None = None,
    details: dict[str, object] | None = None,
) -> ModerationLogEntry:
    """Add one row to the moderation log (flushed, so it has its id): the one way every
    decision, queue or not, is written, with the consultation the public log reads it by."""
    entry = ModerationLogEntry(
        contribution_id=contribution_id,
        held_id=held_id,
        consultation_id=consultation_id,
        moderator_id=moderator.id,
        action=action,
        tag=f"moderation:contribution:{action.value}",
        reason=reason,
        rule=rule,
        details=details,
    )
    db.add(entry)
    await db.flush()
    return entry


async def forget_reasons(db: AsyncSession, decision_id: int) -> None:
    """The items a decision closed leave the queue's filter by reason."""
    closed = select(QueueItem.id).where(QueueItem.decision_id == decision_id)
    await db.execute(delete(QueueReason).where(QueueReason.queue_item_id.in_(closed)))


async def retag(
    db: AsyncSession, *, moderator: User, contribution: Contribution, topics: Sequence[str], reason: str
) -> bool:
    """Tag the contribution with exactly `topics` (slugs of its consultation's vocabulary, within
    the authors' limit); returns False (and logs nothing) when those are its topics already."""
    reason = validate_reason(reason)
    consultation_id = await consultation_of(db, contribution)
    try:
        chosen = await validated_topics(db, consultation_id, tuple(topics))
    except ContributionError as error:
        raise ModerationError(error.field, error.message) from error
    before = await topic_slugs_of(db, contribution.id)
    after = [topic.slug for topic in chosen]
    if set(before) == set(after):
        return False
    await replace_tags(db, contribution, chosen)
    await mark_discussion_changed(db, contribution.key_message_id)
    await record_decision(
        db,
        moderator=moderator,
        action=ModerationAction.RETAG,
        reason=reason,
        consultation_id=consultation_id,
        contribution_id=contribution.id,
        details={"before": before, "after": after},
    )
    return True


#: A contribution as a moderator names it: its number ("123", "#c123") or the address of its
#: page (…/contributions/123, maybe with #c…). Nine digits at most: ids are 32-bit integers.
_CONTRIBUTION_NUMBER = re.compile(r"^\s*(?:\S*/contributions/)?#?c?(\d{1,9})(?:#\S*)?\s*$")


def contribution_number(typed: str) -> int | None:
    """The contribution a moderator typed, by number or address; None if it names none."""
    found = _CONTRIBUTION_NUMBER.match(typed or "")
    return int(found.group(1)) if found else None


async def consultation_of(db: AsyncSession, contribution: Contribution) -> int:
    consultation_id = await db.scalar(
        select(KeyMessage.consultation_id).where(KeyMessage.id == contribution.key_message_id)
    )
    assert consultation_id is not None  # a contribution always has a key message (foreign key)
    return consultation_id


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
