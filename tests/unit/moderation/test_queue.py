"""The moderation queue: oldest first in keyset pages, filtered, with only the decisions
that apply, and every decision closing the contribution's waiting items exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.db import utcnow
from app.discussion.models import ContributionStatus
from app.discussion.publication import Audience
from app.moderation.models import ModerationAction, QueueItem, QueueKind, QueueReason, ReportReason
from app.moderation.queue import (
    QueueFilters,
    decide,
    decide_many,
    decisions_for,
    parse_cursor,
    waiting_count,
    waiting_page,
)
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.services import ModerationError, moderation_history, set_visibility
from app.security.roles import Role
from tests.factories import key_message, make_position, make_reply, make_user

MODERATORS = Audience(see_unpublished=True, see_withheld_names=True)

BASE = "http://testserver"


async def reported(db, consultation, *, ref="RT2-KM3", reason="spam", days_ago=0, parent=None):
    author = await make_user(db)
    if parent is None:
        contribution = await make_position(db, consultation, author=author, ref=ref, body=f"Reported on {ref}.")
    else:
        contribution = await make_reply(db, author=author, parent=parent, body="A reported reply.")
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft(reason), base_url=BASE
    )
    if days_ago:
        await db.execute(
            update(QueueItem)
            .where(QueueItem.id == report.queue_item_id)
            .values(opened_at=utcnow() - timedelta(days=days_ago))
        )
    return contribution, report.queue_item_id


async def test_pages_run_oldest_first_and_meet_every_item_once(db, consultation):
    items = [(await reported(db, consultation, days_ago=days))[1] for days in (1, 5, 3, 3, 2, 4, 1)]
    await db.execute(update(QueueItem).values(opened_at=utcnow().replace(microsecond=0) - timedelta(days=2)))
    seen, cursor = [], None
    while True:
        page = await waiting_page(db, QueueFilters(), MODERATORS, cursor=cursor, page_size=3)
        seen += [item.id for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(items)  # all opened at the same instant: the id breaks the tie
    assert await waiting_count(db) == len(items)


async def test_filters_narrow_by_consultation_key_message_reason_and_age(db, consultation):
    _, old_spam = await reported(db, consultation, ref="RT2-KM3", days_ago=4)
    _, new_abuse = await reported(db, consultation, ref="RT2-KM3", reason="abusive")
    _, elsewhere = await reported(db, consultation, ref="RT1-KM1", days_ago=2)

    async def ids(**filters):
        return [item.id for item in (await waiting_page(db, QueueFilters(**filters), MODERATORS)).items]

    assert await ids() == [old_spam, elsewhere, new_abuse]
    assert await ids(consultation_id=consultation.id) == [old_spam, elsewhere, new_abuse]
    assert await ids(consultation_id=consultation.id + 1000) == []
    assert await ids(key_message_id=key_message(consultation, "RT2-KM3").id) == [old_spam, new_abuse]
    assert await ids(reason=ReportReason.ABUSIVE) == [new_abuse]
    assert await ids(waiting_days=3) == [old_spam]


async def test_an_item_shows_its_contribution_in_context_and_its_reasons(db, consultation):
    parent = await make_position(db, consultation, author=await make_user(db), body="The parent.")
    reply, item_id = await reported(db, consultation, parent=parent)
    await report_contribution(
        db, reporter=await make_user(db), contribution=reply, draft=ReportDraft("abusive"), base_url=BASE
    )
    await report_contribution(
        db, reporter=await make_user(db), contribution=reply, draft=ReportDraft("abusive"), base_url=BASE
    )
    [item] = (await waiting_page(db, QueueFilters(), MODERATORS)).items
    assert (item.id, item.report_count, item.contribution.id, item.parent.id) == (item_id, 3, reply.id, parent.id)
    assert item.reasons == [(ReportReason.ABUSIVE, 2), (ReportReason.SPAM, 1)]
    assert item.place.ref == "RT2-KM3" and item.place.consultation_slug == consultation.slug
    assert item.actions == [
        ModerationAction.KEEP,
        ModerationAction.HIDE,
        ModerationAction.HOLD,
        ModerationAction.LOCK,
        ModerationAction.DUPLICATE,
    ]


def test_only_the_decisions_that_apply_are_offered():
    reported, appeal = QueueKind.REPORTED, QueueKind.APPEAL
    shown = [
        ModerationAction.KEEP,
        ModerationAction.HIDE,
        ModerationAction.HOLD,
        ModerationAction.LOCK,
        ModerationAction.DUPLICATE,
    ]
    assert decisions_for(reported, ContributionStatus.VISIBLE) == shown
    assert ModerationAction.LOCK not in decisions_for(reported, ContributionStatus.VISIBLE, locked=True)
    assert decisions_for(reported, ContributionStatus.HIDDEN) == [ModerationAction.KEEP, ModerationAction.RESTORE]
    assert decisions_for(reported, ContributionStatus.WITHDRAWN) == [ModerationAction.KEEP]
    assert decisions_for(appeal, ContributionStatus.HIDDEN) == [ModerationAction.KEEP, ModerationAction.RESTORE]
    assert decisions_for(appeal, ContributionStatus.VISIBLE) == [ModerationAction.KEEP]
    on_hold = decisions_for(reported, ContributionStatus.HIDDEN, on_hold=True)
    assert on_hold == [ModerationAction.HIDE, ModerationAction.RESTORE]
    # Withdrawn by its author while on hold: nothing left but to close the item.
    assert decisions_for(reported, ContributionStatus.WITHDRAWN, on_hold=True) == [ModerationAction.KEEP]


async def test_keeping_closes_the_item_with_a_logged_decision(db, consultation):
    contribution, item_id = await reported(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    entry = await decide(
        db,
        moderator=moderator,
        item_id=item_id,
        action=ModerationAction.KEEP,
        reason="Within the rules.",
        base_url=BASE,
    )
    item = await db.get_one(QueueItem, item_id)
    assert item.decided_at is not None and item.decision_id == entry.id
    assert contribution.status is ContributionStatus.VISIBLE
    assert [e.action for e in await moderation_history(db, contribution.id)] == [ModerationAction.KEEP]
    assert await waiting_count(db) == 0


async def test_hiding_from_the_queue_hides_with_the_reason_and_a_second_decision_is_refused(db, consultation):
    contribution, item_id = await reported(db, consultation)
    first, second = await make_user(db, role=Role.MODERATOR), await make_user(db, role=Role.MODERATOR)
    await decide(
        db,
        moderator=first,
        item_id=item_id,
        action=ModerationAction.HIDE,
        reason="Advertising a product.",
        base_url=BASE,
    )
    assert (contribution.status, contribution.moderation_reason) == (
        ContributionStatus.HIDDEN,
        "Advertising a product.",
    )
    with pytest.raises(ModerationError) as refused:
        await decide(
            db,
            moderator=second,
            item_id=item_id,
            action=ModerationAction.KEEP,
            reason="Looks fine to me.",
            base_url=BASE,
        )
    assert refused.value.field == "item"
    with pytest.raises(ModerationError):
        await decide(
            db,
            moderator=second,
            item_id=999_999_999,
            action=ModerationAction.KEEP,
            reason="No such item.",
            base_url=BASE,
        )


async def test_a_decision_that_does_not_apply_is_refused_and_changes_nothing(db, consultation):
    contribution, item_id = await reported(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    with pytest.raises(ModerationError) as refused:
        await decide(
            db,
            moderator=moderator,
            item_id=item_id,
            action=ModerationAction.RESTORE,
            reason="Restore it.",
            base_url=BASE,
        )
    assert refused.value.field == "action"
    with pytest.raises(ModerationError) as refused:
        await decide(db, moderator=moderator, item_id=item_id, action=ModerationAction.HIDE, reason="no", base_url=BASE)
    assert refused.value.field == "reason"
    assert (await db.get_one(QueueItem, item_id)).decided_at is None
    assert await moderation_history(db, contribution.id) == []


async def test_hiding_from_the_discussion_answers_the_waiting_reports_too(db, consultation):
    contribution, item_id = await reported(db, consultation)
    entry = await set_visibility(
        db,
        moderator=await make_user(db, role=Role.MODERATOR),
        contribution=contribution,
        action=ModerationAction.HIDE,
        reason="Seen on the page first.",
    )
    assert (await db.get_one(QueueItem, item_id)).decision_id == entry.id


async def test_a_bulk_decision_skips_what_it_cannot_decide(db, consultation):
    _, first = await reported(db, consultation)
    hidden, second = await reported(db, consultation)
    _, third = await reported(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    await decide(
        db, moderator=moderator, item_id=third, action=ModerationAction.KEEP, reason="Already decided.", base_url=BASE
    )
    decided, skipped = await decide_many(
        db,
        moderator=moderator,
        item_ids=[second, first, third, first],
        action=ModerationAction.HIDE,
        reason="Spam run.",
        base_url=BASE,
    )
    assert (decided, skipped) == (2, 1)
    assert hidden.status is ContributionStatus.HIDDEN
    assert await waiting_count(db) == 0
    with pytest.raises(ModerationError):
        await decide_many(
            db, moderator=moderator, item_ids=[first], action=ModerationAction.KEEP, reason="", base_url=BASE
        )


@pytest.mark.parametrize("cursor", ["", "nonsense", "2026-13-01T00:00:00_1", "_", "2026-01-01T00:00:00_x", "\x00"])
def test_a_bad_cursor_means_the_start(cursor):
    assert parse_cursor(cursor) is None


async def test_the_reason_filter_reads_each_waiting_item_once_per_reason_until_it_is_decided(db, consultation):
    contribution, item_id = await reported(db, consultation, reason="spam")
    for reason in ("spam", "abusive"):  # a second spam report adds no second row
        await report_contribution(
            db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft(reason), base_url=BASE
        )
    noted = (await db.execute(select(QueueReason.reason, QueueReason.opened_at))).all()
    item = await db.get(QueueItem, item_id)
    assert sorted(reason.value for reason, _ in noted) == ["abusive", "spam"]
    assert {opened_at for _, opened_at in noted} == {item.opened_at}
    for reason in (ReportReason.SPAM, ReportReason.ABUSIVE):
        page = await waiting_page(db, QueueFilters(reason=reason), MODERATORS)
        assert [i.id for i in page.items] == [item_id]
    assert (await waiting_page(db, QueueFilters(reason=ReportReason.MISLEADING), MODERATORS)).items == []
    moderator = await make_user(db, role=Role.MODERATOR)
    await decide(db, moderator=moderator, item_id=item_id, action=ModerationAction.KEEP, reason="Fine.", base_url=BASE)
    assert (await db.execute(select(QueueReason))).all() == []
    assert (await waiting_page(db, QueueFilters(reason=ReportReason.SPAM), MODERATORS)).items == []
