"""Held contributions in the moderation queue (pre-moderation, app.discussion.holding): each
waits as one item; a moderator approves it (it is published with the time it was written)
or rejects it (it never is), with a reason that is logged and mailed to its author."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.db import utcnow
from app.discussion.contribution_write import publish_held
from app.discussion.errors import ContributionError
from app.discussion.holding import decided, reject_held
from app.discussion.models import HeldContribution, HeldOutcome
from app.i18n import _
from app.moderation.models import Appeal, ModerationAction, ModerationLogEntry, QueueItem, QueueKind
from app.moderation.notices import tell_author_of_held, tell_author_of_held_appeal
from app.moderation.services import ModerationError, record_decision
from app.organisations.models import Organisation

#: What a moderator may decide about a held contribution.
HELD_DECISIONS = [ModerationAction.APPROVE, ModerationAction.REJECT]
#: ... and about the appeal of its rejection: uphold it (keep) or publish it after all.
HELD_APPEAL_DECISIONS = [ModerationAction.KEEP, ModerationAction.APPROVE]


@dataclass(frozen=True)
class HeldView:
    """A held contribution as the queue shows it to a moderator."""

    id: int
    body_html: str  #: sanitised when it was written (app.text.markdown)
    position: str | None
    author_name: str
    organisation_name: str | None
    created_at: datetime
    #: What it answers (a reply), as an anchor on the thread page.
    parent_id: int | None


async def enqueue_held(db: AsyncSession, held: HeldContribution) -> None:
    """Put a new held contribution in the queue, waiting since it was written."""
    db.add(
        QueueItem(
            kind=QueueKind.HELD,
            held_id=held.id,
            contribution_id=None,
            consultation_id=held.consultation_id,
            key_message_id=held.key_message_id,
            opened_at=held.created_at,
            report_count=0,
        )
    )
    await db.flush()


async def held_views(db: AsyncSession, held_ids: list[int]) -> dict[int, HeldView]:
    """The page's held contributions with their authors and organisations: one query."""
    if not held_ids:
        return {}
    rows = await db.execute(
        select(HeldContribution, User.display_name, Organisation.name)
        .join(User, User.id == HeldContribution.author_id)
        .outerjoin(Organisation, Organisation.id == HeldContribution.draft["organisation_id"].as_integer())
        .where(HeldContribution.id.in_(held_ids))
    )
    return {
        held.id: HeldView(
            id=held.id,
            body_html=held.draft["body_html"],
            position=held.draft.get("position"),
            author_name=author_name,
            organisation_name=organisation_name,
            created_at=held.created_at,
            parent_id=held.parent_id,
        )
        for held, author_name, organisation_name in rows
    }


async def decide_held(
    db: AsyncSession,
    *,
    moderator: User,
    item: QueueItem,
    action: ModerationAction,
    reason: str,
    rule: str | None,
    base_url: str,
) -> ModerationLogEntry:
    """Approve or reject the held contribution of a waiting item (locked by the caller)."""
    if action not in HELD_DECISIONS or item.held_id is None:
        raise ModerationError("action", _("That decision does not apply to this contribution as it is now."))
    held = await db.get_one(HeldContribution, item.held_id)
    entry = await _decided(db, moderator=moderator, item=item, held=held, action=action, reason=reason, rule=rule)
    await tell_author_of_held(db, held, entry, base_url=base_url)
    return entry


async def _decided(
    db: AsyncSession,
    *,
    moderator: User,
    item: QueueItem,
    held: HeldContribution,
    action: ModerationAction,
    reason: str,
    rule: str | None,
) -> ModerationLogEntry:
    """Carry out a decision on a held contribution (approve publishes it; reject, or keep on
    an appeal, leaves it unpublished), log it and close the item."""
    contribution_id = None
    if action is ModerationAction.APPROVE:
        try:
            contribution_id = (await publish_held(db, held)).id
        except ContributionError as error:
            raise ModerationError("action", error.message) from None
    elif action is ModerationAction.REJECT:
        reject_held(held)
    entry = await record_decision(
        db,
        moderator=moderator,
        action=action,
        reason=reason,
        consultation_id=held.consultation_id,
        contribution_id=contribution_id,
        held_id=held.id,
        rule=rule,
    )
    await db.execute(update(QueueItem).where(QueueItem.id == item.id).values(decided_at=utcnow(), decision_id=entry.id))
    return entry


async def decide_held_appeal(
    db: AsyncSession,
    *,
    moderator: User,
    item: QueueItem,
    action: ModerationAction,
    reason: str,
    rule: str | None,
    base_url: str,
) -> ModerationLogEntry:
    """Decide the appeal of a held contribution's rejection (the item locked by the caller,
    and decided by another moderator than the one who rejected it): keep the rejection, or
    approve it, which publishes it with the time it was written."""
    appeal = await db.scalar(select(Appeal).where(Appeal.queue_item_id == item.id))
    if action not in HELD_APPEAL_DECISIONS or appeal is None or appeal.held_id is None:
        raise ModerationError("action", _("That decision does not apply to this contribution as it is now."))
    held = await db.get_one(HeldContribution, appeal.held_id)
    entry = await _decided(db, moderator=moderator, item=item, held=held, action=action, reason=reason, rule=rule)
    await tell_author_of_held_appeal(db, held, entry, base_url=base_url)
    return entry


async def withdraw_held(db: AsyncSession, *, author: User, held_id: int) -> HeldContribution:
    """The author takes back a contribution still waiting for approval: it is never published
    and leaves the queue (no moderation decision is logged: nobody decided). Refused
    (ModerationError) once a moderator has decided it, also when both happen at once: the
    waiting item is locked first, as a moderator's decision locks it (app.moderation.queue)."""
    item = await db.scalar(
        select(QueueItem)
        .join(HeldContribution, HeldContribution.id == QueueItem.held_id)
        .where(QueueItem.held_id == held_id, HeldContribution.author_id == author.id)
        .with_for_update(of=QueueItem)
    )
    if item is None:
        raise ModerationError("held", _("This is not one of your contributions awaiting moderation."))
    if item.decided_at is not None:
        raise ModerationError("held", _("A moderator has decided on it already."))
    held = await db.get_one(HeldContribution, held_id, populate_existing=True)
    decided(held, HeldOutcome.WITHDRAWN)
    item.decided_at = held.decided_at
    await db.flush()
    return held
