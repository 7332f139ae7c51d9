"""The moderation queue: what waits for a moderator's decision, oldest first, and the
decisions that close it.

A page is a keyset range of a partial index of the waiting items (app.moderation.models),
so reading it costs the page, not the items waiting behind it or decided before. Each item
comes with what a moderator needs to decide without leaving the queue: the contribution as
they may read it, its parent, its key message, the reports' reasons, and only the decisions
that apply to it now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.db import utcnow
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView
from app.discussion.publication import Audience
from app.discussion.thread_read import views_by_id
from app.i18n import _
from app.moderation.models import ModerationAction, ModerationLogEntry, QueueItem, QueueKind, Report, ReportReason
from app.moderation.services import ModerationError, log_decision, set_visibility, validate_reason

PAGE_SIZE = 20


@dataclass(frozen=True)
class QueueFilters:
    """What a moderator narrowed the queue to; None is "any"."""

    consultation_id: int | None = None
    key_message_id: int | None = None
    reason: ReportReason | None = None
    #: Only items waiting at least this many days.
    waiting_days: int | None = None


@dataclass(frozen=True)
class KeyMessagePlace:
    """Where a contribution was written: its key message in its consultation."""

    consultation_slug: str
    consultation_title: str
    ref: str
    text: str


@dataclass
class WaitingItem:
    id: int
    kind: QueueKind
    opened_at: datetime
    report_count: int
    #: None when the contribution is gone for this reader (a moderator sees all but deleted ones).
    contribution: ContributionView | None
    parent: ContributionView | None
    place: KeyMessagePlace
    #: Reasons given, most frequent first, with how many readers gave each.
    reasons: list[tuple[ReportReason, int]] = field(default_factory=list)

    @property
    def actions(self) -> list[ModerationAction]:
        return decisions_for(self.contribution.status if self.contribution else None)


@dataclass
class QueuePage:
    items: list[WaitingItem]
    next_cursor: str | None


def decisions_for(status: ContributionStatus | None) -> list[ModerationAction]:
    """The decisions that apply to a reported contribution in this state: keeping it as it is
    always does (it closes the reports); hiding only what is shown, restoring only what is
    hidden."""
    if status is ContributionStatus.VISIBLE:
        return [ModerationAction.KEEP, ModerationAction.HIDE]
    if status is ContributionStatus.HIDDEN:
        return [ModerationAction.KEEP, ModerationAction.RESTORE]
    return [ModerationAction.KEEP]


async def waiting_count(db: AsyncSession) -> int:
    """How many items wait for a decision (the header's badge): read from the partial index."""
    return int(await db.scalar(select(func.count()).select_from(QueueItem).where(QueueItem.decided_at.is_(None))) or 0)


async def waiting_page(
    db: AsyncSession,
    filters: QueueFilters,
    audience: Audience,
    *,
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> QueuePage:
    """One page of the waiting items, oldest first, after `cursor` (a bad cursor: the start)."""
    statement = select(QueueItem).where(QueueItem.decided_at.is_(None))
    if filters.consultation_id is not None:
        statement = statement.where(QueueItem.consultation_id == filters.consultation_id)
    if filters.key_message_id is not None:
        statement = statement.where(QueueItem.key_message_id == filters.key_message_id)
    if filters.reason is not None:
        statement = statement.where(
            exists().where(Report.queue_item_id == QueueItem.id, Report.reason == filters.reason)
        )
    if filters.waiting_days:
        statement = statement.where(QueueItem.opened_at <= (now or utcnow()) - timedelta(days=filters.waiting_days))
    if (after := parse_cursor(cursor)) is not None:
        opened_at, item_id = after
        statement = statement.where(
            or_(QueueItem.opened_at > opened_at, and_(QueueItem.opened_at == opened_at, QueueItem.id > item_id))
        )
    rows = list((await db.scalars(statement.order_by(QueueItem.opened_at, QueueItem.id).limit(page_size + 1))).all())
    items = await _described(db, rows[:page_size], audience)
    last = rows[page_size - 1] if len(rows) > page_size else None
    return QueuePage(items, None if last is None else f"{last.opened_at.isoformat()}_{last.id}")


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    moment, _sep, identifier = cursor.rpartition("_")
    try:
        return datetime.fromisoformat(moment), int(identifier)
    except ValueError:
        return None


async def _described(db: AsyncSession, rows: list[QueueItem], audience: Audience) -> list[WaitingItem]:
    """The page's items with their contributions, parents, places and reasons: four queries
    for the page, whatever its length."""
    if not rows:
        return []
    views = {view.id: view for view in await views_by_id(db, [row.contribution_id for row in rows], audience)}
    parent_ids = [view.parent_id for view in views.values() if view.parent_id is not None]
    parents = {view.id: view for view in await views_by_id(db, parent_ids, audience)}
    places = await _places(db, {row.key_message_id for row in rows})
    reasons = await _reasons(db, [row.id for row in rows])
    items = []
    for row in rows:
        view = views.get(row.contribution_id)
        items.append(
            WaitingItem(
                id=row.id,
                kind=row.kind,
                opened_at=row.opened_at,
                report_count=row.report_count,
                contribution=view,
                parent=parents.get(view.parent_id) if view is not None and view.parent_id is not None else None,
                place=places[row.key_message_id],
                reasons=reasons.get(row.id, []),
            )
        )
    return items


async def _places(db: AsyncSession, key_message_ids: set[int]) -> dict[int, KeyMessagePlace]:
    rows = await db.execute(
        select(KeyMessage.id, Consultation.slug, Consultation.title, KeyMessage.ref, KeyMessage.text)
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .where(KeyMessage.id.in_(key_message_ids))
    )
    return {key_message_id: KeyMessagePlace(*place) for key_message_id, *place in rows}


async def _reasons(db: AsyncSession, item_ids: list[int]) -> dict[int, list[tuple[ReportReason, int]]]:
    rows = await db.execute(
        select(Report.queue_item_id, Report.reason, func.count())
        .where(Report.queue_item_id.in_(item_ids))
        .group_by(Report.queue_item_id, Report.reason)
    )
    counted: dict[int, Counter[ReportReason]] = {}
    for item_id, reason, count in rows:
        counted.setdefault(item_id, Counter())[reason] = count
    return {item_id: counter.most_common() for item_id, counter in counted.items()}


async def decide(
    db: AsyncSession, *, moderator: User, item_id: int, action: ModerationAction, reason: str
) -> ModerationLogEntry:
    """Decide a waiting item: keep the contribution as it is, hide it or restore it, with a
    reason that is logged (and shown to readers on a hidden contribution). Every waiting item
    of the contribution closes with the decision. Two moderators deciding the same item at
    once: the second is told it was decided (the row is locked; SQLite's writers queue)."""
    reason = validate_reason(reason)
    item = await db.scalar(select(QueueItem).where(QueueItem.id == item_id).with_for_update())
    if item is None:
        raise ModerationError("item", _("This item is not in the queue."))
    if item.decided_at is not None:
        raise ModerationError("item", _("Another moderator has decided this item already."))
    contribution = await db.get_one(Contribution, item.contribution_id)
    if action not in decisions_for(contribution.status):
        raise ModerationError("action", _("That decision does not apply to this contribution as it is now."))
    if action is ModerationAction.KEEP:
        return await log_decision(db, moderator=moderator, contribution=contribution, action=action, reason=reason)
    entry = await set_visibility(db, moderator=moderator, contribution=contribution, action=action, reason=reason)
    assert entry is not None  # the action applies, so the status changes
    return entry


async def decide_many(
    db: AsyncSession, *, moderator: User, item_ids: list[int], action: ModerationAction, reason: str
) -> tuple[int, int]:
    """The same decision on several items (bulk): returns (decided, skipped). An item decided
    meanwhile, or to which the decision does not apply, is skipped, not an error."""
    decided = skipped = 0
    for item_id in sorted(set(item_ids)):
        try:
            async with db.begin_nested():
                await decide(db, moderator=moderator, item_id=item_id, action=action, reason=reason)
            decided += 1
        except ModerationError as error:
            if error.field == "reason":
                raise
            skipped += 1
    return decided, skipped
