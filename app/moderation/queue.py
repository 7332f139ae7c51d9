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

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.db import utcnow
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView
from app.discussion.publication import Audience
from app.discussion.thread_read import views_by_id
from app.i18n import _
from app.moderation.holds import (
    HELD_APPEAL_DECISIONS,
    HELD_DECISIONS,
    HeldView,
    decide_held,
    decide_held_appeal,
    held_views,
)
from app.moderation.models import (
    Appeal,
    ModerationAction,
    ModerationLogEntry,
    QueueItem,
    QueueKind,
    QueueReason,
    Report,
    ReportReason,
)
from app.moderation.notices import tell_about_decision, tell_author_of_hold
from app.moderation.rules import Rule, chosen_rule, rules_from
from app.moderation.services import (
    ModerationError,
    confirm_hold,
    hold,
    log_decision,
    set_visibility,
    validate_reason,
)
from app.moderation.threads import mark_duplicate, set_thread_lock
from app.organisations.review import claims_waiting, lapses_waiting

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
    #: The consultation's house rules, for the decision's form.
    rules: list[Rule]


@dataclass(frozen=True)
class AppealView:
    """What the author wrote, and the decision they appeal."""

    text: str
    created_at: datetime
    decision_reason: str
    decision_rule: str | None
    decision_at: datetime
    decided_by: str
    #: The held contribution whose rejection is appealed (None: a decision that hid one).
    held_id: int | None = None


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
    appeal: AppealView | None = None
    #: A contribution held by pre-moderation (kind HELD), which is no contribution yet.
    held: HeldView | None = None

    #: Hidden by a moderator's hold while the item waits for its final decision.
    on_hold: bool = False

    @property
    def actions(self) -> list[ModerationAction]:
        contribution = self.contribution
        if self.kind is QueueKind.APPEAL and self.held is not None:
            return list(HELD_APPEAL_DECISIONS)
        return decisions_for(
            self.kind,
            contribution.status if contribution else None,
            locked=bool(contribution and contribution.locked),
            on_hold=self.on_hold,
        )


@dataclass
class QueuePage:
    items: list[WaitingItem]
    next_cursor: str | None


def decisions_for(
    kind: QueueKind, status: ContributionStatus | None, *, locked: bool = False, on_hold: bool = False
) -> list[ModerationAction]:
    """The decisions that apply to an item in this state: keeping the contribution as it is
    always does (it closes the reports, or upholds the decision appealed); hiding only what
    is shown (an appeal is never answered by hiding), restoring only what is hidden. A
    reported contribution may be put on hold (hidden while the moderators look into it); an
    item on hold is then hidden for good or restored. A contribution held by pre-moderation
    is approved or rejected."""
    if kind is QueueKind.HELD:
        return list(HELD_DECISIONS)
    if on_hold and status is ContributionStatus.HIDDEN:
        return [ModerationAction.HIDE, ModerationAction.RESTORE]
    if status is ContributionStatus.VISIBLE and kind is not QueueKind.APPEAL:
        lock = [] if locked else [ModerationAction.LOCK]
        return [
            ModerationAction.KEEP,
            ModerationAction.HIDE,
            ModerationAction.HOLD,
            *lock,
            ModerationAction.DUPLICATE,
        ]
    if status is ContributionStatus.HIDDEN:
        return [ModerationAction.KEEP, ModerationAction.RESTORE]
    return [ModerationAction.KEEP]


async def waiting_count(db: AsyncSession) -> int:
    """How many items wait for a decision (the header's badge): the queue's, read from its
    partial index, with the organisations' claims and lapsed verifications, in one statement."""
    waiting = select(func.count()).select_from(QueueItem).where(QueueItem.decided_at.is_(None)).scalar_subquery()
    total = await db.scalar(select(waiting + claims_waiting() + lapses_waiting()))
    return int(total or 0)


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
    # Oldest first along an index of what is asked for: the waiting items (of a consultation,
    # of a key message), or the reasons' own index when filtering by reason.
    opened_at_column, id_column = QueueItem.opened_at, QueueItem.id
    if filters.reason is not None:
        statement = statement.join(
            QueueReason, and_(QueueReason.queue_item_id == QueueItem.id, QueueReason.reason == filters.reason)
        )
        opened_at_column, id_column = QueueReason.opened_at, QueueReason.queue_item_id
    if filters.consultation_id is not None:
        statement = statement.where(QueueItem.consultation_id == filters.consultation_id)
    if filters.key_message_id is not None:
        statement = statement.where(QueueItem.key_message_id == filters.key_message_id)
    if filters.waiting_days:
        statement = statement.where(opened_at_column <= (now or utcnow()) - timedelta(days=filters.waiting_days))
    if (after := parse_cursor(cursor)) is not None:
        opened_at, item_id = after
        # The first condition alone lets both databases seek into the index; the second
        # drops what is at the cursor's instant but not after it.
        statement = statement.where(
            opened_at_column >= opened_at,
            or_(opened_at_column > opened_at, id_column > item_id),
        )
    statement = statement.order_by(opened_at_column, id_column).limit(page_size + 1)
    rows = list((await db.scalars(statement)).all())
    items = await _described(db, rows[:page_size], audience)
    last = rows[page_size - 1] if len(rows) > page_size else None
    return QueuePage(items, None if last is None else f"{last.opened_at.isoformat()}_{last.id}")


async def waiting_item(db: AsyncSession, item_id: int, audience: Audience) -> WaitingItem | None:
    """One item as the queue shows it, waiting or not (None: no such item)."""
    row = await db.get(QueueItem, item_id)
    return None if row is None else (await _described(db, [row], audience))[0]


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    moment, _sep, identifier = cursor.rpartition("_")
    try:
        return datetime.fromisoformat(moment), int(identifier)
    except ValueError:
        return None


async def _described(db: AsyncSession, rows: list[QueueItem], audience: Audience) -> list[WaitingItem]:
    """The page's items with their contributions, parents, places, reasons, appeals and held
    contributions: six queries for the page, whatever its length."""
    if not rows:
        return []
    contribution_ids = [row.contribution_id for row in rows if row.contribution_id is not None]
    views = {view.id: view for view in await views_by_id(db, contribution_ids, audience)}
    parent_ids = [view.parent_id for view in views.values() if view.parent_id is not None]
    parents = {view.id: view for view in await views_by_id(db, parent_ids, audience)}
    places = await _places(db, {row.key_message_id for row in rows})
    reasons = await _reasons(db, [row.id for row in rows])
    appeals = await _appeals(db, [row.id for row in rows if row.kind is QueueKind.APPEAL])
    # A held contribution waits as its own item, or through the appeal of its rejection.
    held_of = {row.id: row.held_id for row in rows if row.held_id is not None}
    held_of |= {item_id: appeal.held_id for item_id, appeal in appeals.items() if appeal.held_id is not None}
    held = await held_views(db, list(held_of.values()))
    items = []
    for row in rows:
        view = views.get(row.contribution_id) if row.contribution_id is not None else None
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
                appeal=appeals.get(row.id),
                held=held.get(held_of[row.id]) if row.id in held_of else None,
                on_hold=row.hold_id is not None,
            )
        )
    return items


async def _places(db: AsyncSession, key_message_ids: set[int]) -> dict[int, KeyMessagePlace]:
    rows = await db.execute(
        select(
            KeyMessage.id,
            Consultation.slug,
            Consultation.title,
            KeyMessage.ref,
            KeyMessage.text,
            Consultation.moderation_rules,
        )
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .where(KeyMessage.id.in_(key_message_ids))
    )
    return {
        key_message_id: KeyMessagePlace(slug, title, ref, text, rules_from(rules))
        for key_message_id, slug, title, ref, text, rules in rows
    }


async def _appeals(db: AsyncSession, item_ids: list[int]) -> dict[int, AppealView]:
    rows = await db.execute(
        select(
            Appeal.queue_item_id,
            Appeal.text,
            Appeal.created_at,
            ModerationLogEntry.reason,
            ModerationLogEntry.rule,
            ModerationLogEntry.created_at,
            User.display_name,
            Appeal.held_id,
        )
        .join(ModerationLogEntry, ModerationLogEntry.id == Appeal.decision_id)
        .join(User, User.id == ModerationLogEntry.moderator_id)
        .where(Appeal.queue_item_id.in_(item_ids))
    )
    return {
        item_id: AppealView(text, created_at, reason, rule, decided_at, decided_by, held_id)
        for item_id, text, created_at, reason, rule, decided_at, decided_by, held_id in rows
    }


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
    db: AsyncSession,
    *,
    moderator: User,
    item_id: int,
    action: ModerationAction,
    reason: str,
    rule: str = "",
    duplicate_of: str = "",
    base_url: str,
) -> ModerationLogEntry:
    """Decide a waiting item: keep the contribution as it is, hide it or restore it, with a
    reason (and a rule of its consultation, if any) that is logged, shown to readers on a
    hidden contribution and mailed to whom it concerns (app.moderation.notices). Every
    waiting item of the contribution closes with the decision. An appeal is decided by a
    moderator other than the one who took the decision appealed. Two moderators deciding the
    same item at once: the second is told it was decided (the row is locked; SQLite's
    writers queue)."""
    reason = validate_reason(reason)
    item = await db.scalar(select(QueueItem).where(QueueItem.id == item_id).with_for_update())
    if item is None:
        raise ModerationError("item", _("This item is not in the queue."))
    if item.decided_at is not None:
        raise ModerationError("item", _("Another moderator has decided this item already."))
    rule_ref = chosen_rule(await db.get_one(Consultation, item.consultation_id), rule)
    if item.kind is QueueKind.HELD:
        return await decide_held(
            db, moderator=moderator, item=item, action=action, reason=reason, rule=rule_ref, base_url=base_url
        )
    if item.kind is QueueKind.APPEAL and await _decided_appealed_decision(db, item.id, moderator):
        raise ModerationError("item", _("You took the decision appealed: another moderator must review it."))
    if item.contribution_id is None:  # the appeal of a held contribution's rejection
        return await decide_held_appeal(
            db, moderator=moderator, item=item, action=action, reason=reason, rule=rule_ref, base_url=base_url
        )
    contribution = await db.get_one(Contribution, item.contribution_id)
    on_hold = item.hold_id is not None
    if action not in decisions_for(
        item.kind, contribution.status, locked=contribution.locked_at is not None, on_hold=on_hold
    ):
        raise ModerationError("action", _("That decision does not apply to this contribution as it is now."))
    if action is ModerationAction.KEEP:
        entry = await log_decision(
            db, moderator=moderator, contribution=contribution, action=action, reason=reason, rule=rule_ref
        )
    elif action is ModerationAction.LOCK:
        locked = await set_thread_lock(
            db, moderator=moderator, contribution=contribution, lock=True, reason=reason, rule=rule_ref
        )
        assert locked is not None  # offered only for an unlocked thread
        entry = locked
    elif action is ModerationAction.HOLD:
        entry = await hold(db, moderator=moderator, item=item, contribution=contribution, reason=reason, rule=rule_ref)
        await tell_author_of_hold(db, entry, contribution, base_url=base_url)
        return entry
    elif action is ModerationAction.HIDE and on_hold:
        entry = await confirm_hold(db, moderator=moderator, contribution=contribution, reason=reason, rule=rule_ref)
    elif action is ModerationAction.DUPLICATE:
        entry = await mark_duplicate(
            db, moderator=moderator, contribution=contribution, original=duplicate_of, reason=reason, rule=rule_ref
        )
    else:
        changed = await set_visibility(
            db, moderator=moderator, contribution=contribution, action=action, reason=reason, rule=rule_ref
        )
        assert changed is not None  # the action applies, so the status changes
        entry = changed
    await tell_about_decision(db, entry, contribution, base_url=base_url)
    return entry


async def _decided_appealed_decision(db: AsyncSession, item_id: int, moderator: User) -> bool:
    appealed_by = await db.scalar(
        select(ModerationLogEntry.moderator_id)
        .join(Appeal, Appeal.decision_id == ModerationLogEntry.id)
        .where(Appeal.queue_item_id == item_id)
    )
    return appealed_by == moderator.id


async def decide_many(
    db: AsyncSession,
    *,
    moderator: User,
    item_ids: list[int],
    action: ModerationAction,
    reason: str,
    rule: str = "",
    duplicate_of: str = "",
    base_url: str,
) -> tuple[int, int]:
    """The same decision on several items (bulk): returns (decided, skipped). An item decided
    meanwhile, one the decision does not apply to, or whose consultation has no such rule, is
    skipped, not an error; a missing or overlong reason refuses the whole decision."""
    validate_reason(reason)
    decided = skipped = 0
    for item_id in sorted(set(item_ids)):
        try:
            async with db.begin_nested():
                await decide(
                    db,
                    moderator=moderator,
                    item_id=item_id,
                    action=action,
                    reason=reason,
                    rule=rule,
                    duplicate_of=duplicate_of,
                    base_url=base_url,
                )
            decided += 1
        except ModerationError:
            skipped += 1
    return decided, skipped
