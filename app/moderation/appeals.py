"""Authors appeal decisions on their contributions (an internal complaint, DSA article 20):
once per decision, within six months, decided in the queue by a moderator other than the
one who took the decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.db import insert_into, utcnow
from app.discussion.contribution_edit import aware
from app.discussion.models import Contribution, ContributionStatus, HeldContribution, HeldOutcome
from app.i18n import _
from app.moderation.models import Appeal, ModerationAction, ModerationLogEntry, QueueItem, QueueKind
from app.moderation.services import ModerationError, consultation_of

#: How long after a decision its author may appeal it (the DSA asks for at least six months).
APPEAL_WINDOW = timedelta(days=183)
MIN_APPEAL_CHARS = 10
MAX_APPEAL_CHARS = 2000


async def appealable_decision(db: AsyncSession, contribution: Contribution) -> ModerationLogEntry | None:
    """The decision an author may appeal now: the one that hid their contribution, if it is
    still hidden, the decision is recent enough and not appealed yet."""
    if contribution.status is not ContributionStatus.HIDDEN:
        return None
    decision = await db.scalar(
        select(ModerationLogEntry)
        .where(
            ModerationLogEntry.contribution_id == contribution.id,
            ModerationLogEntry.action == ModerationAction.HIDE,
        )
        .order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
        .limit(1)
    )
    if decision is None or aware(decision.created_at) < utcnow() - APPEAL_WINDOW:
        return None
    if await db.scalar(select(Appeal.id).where(Appeal.decision_id == decision.id)):
        return None
    return decision


async def file_appeal(db: AsyncSession, *, author: User, contribution: Contribution, text: str) -> Appeal:
    """Record the appeal and put it in the queue. The caller commits. Refused (ModerationError)
    when there is nothing to appeal, it was appealed already (also by a request running at the
    same time), or the explanation is missing or too long."""
    text = _checked_text(text)
    if contribution.author_id != author.id:
        raise ModerationError("text", _("Only the author of a contribution can appeal a decision on it."))
    decision = await appealable_decision(db, contribution)
    if decision is None:
        raise ModerationError("text", _("There is no decision on this contribution that you can appeal now."))
    try:
        async with db.begin_nested():
            appeal = Appeal(
                contribution_id=contribution.id,
                decision_id=decision.id,
                appellant_id=author.id,
                text=text,
                queue_item_id=await _open_appeal_item(db, contribution),
            )
            db.add(appeal)
            await db.flush()
    except IntegrityError:
        raise ModerationError("text", _("You have appealed this decision already.")) from None
    return appeal


def _checked_text(text: str) -> str:
    text = text.strip()
    if len(text) < MIN_APPEAL_CHARS:
        raise ModerationError("text", _("Explain in a sentence or two why the decision should change."))
    if len(text) > MAX_APPEAL_CHARS:
        raise ModerationError("text", _("Keep this under %(n)s characters.", n=MAX_APPEAL_CHARS))
    return text


async def appealable_rejection(db: AsyncSession, held: HeldContribution) -> ModerationLogEntry | None:
    """The decision not to publish a held contribution, if its author may appeal it now:
    recent enough and not appealed yet."""
    if held.outcome is not HeldOutcome.REJECTED:
        return None
    decision = await db.scalar(
        select(ModerationLogEntry)
        .where(ModerationLogEntry.held_id == held.id, ModerationLogEntry.action == ModerationAction.REJECT)
        .order_by(ModerationLogEntry.id.desc())
        .limit(1)
    )
    if decision is None or aware(decision.created_at) < utcnow() - APPEAL_WINDOW:
        return None
    if await db.scalar(select(Appeal.id).where(Appeal.decision_id == decision.id)):
        return None
    return decision


async def file_held_appeal(db: AsyncSession, *, author: User, held: HeldContribution, text: str) -> Appeal:
    """Appeal the decision not to publish a held contribution; as file_appeal. The appeal's
    queue item names no contribution (there is none) and no held contribution (its own item
    holds that): the queue finds the held contribution through the appeal."""
    text = _checked_text(text)
    if held.author_id != author.id:
        raise ModerationError("text", _("Only the author of a contribution can appeal a decision on it."))
    decision = await appealable_rejection(db, held)
    if decision is None:
        raise ModerationError("text", _("There is no decision on this contribution that you can appeal now."))
    try:
        async with db.begin_nested():
            item_id = await _insert_appeal_item(db, None, held.consultation_id, held.key_message_id)
            appeal = Appeal(
                held_id=held.id, decision_id=decision.id, appellant_id=author.id, text=text, queue_item_id=item_id
            )
            db.add(appeal)
            await db.flush()
    except IntegrityError:  # uq_appeals_decision_id: appealed at the same time
        raise ModerationError("text", _("You have appealed this decision already.")) from None
    return appeal


async def _open_appeal_item(db: AsyncSession, contribution: Contribution) -> int:
    return await _insert_appeal_item(
        db, contribution.id, await consultation_of(db, contribution), contribution.key_message_id
    )


async def _insert_appeal_item(
    db: AsyncSession, contribution_id: int | None, consultation_id: int, key_message_id: int
) -> int:
    statement = insert_into(db, QueueItem).values(
        kind=QueueKind.APPEAL,
        contribution_id=contribution_id,
        consultation_id=consultation_id,
        key_message_id=key_message_id,
        opened_at=utcnow(),
        report_count=0,
    )
    # Two appeals at once meet here (one waiting appeal per contribution) or on
    # uq_appeals_decision_id: either way the second fails and is told it was appealed.
    item_id: int = (await db.execute(statement.returning(QueueItem.id))).scalar_one()
    return item_id
