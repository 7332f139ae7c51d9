"""Readers' reports: once per reader, a reason from the list, a full notice for illegal
content, and one waiting queue item per contribution however many report it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.discussion.models import ContributionStatus
from app.moderation.models import ModerationAction, QueueItem, Report, ReportReason
from app.moderation.reports import AlreadyReported, ReportDraft, report_contribution, validated_report
from app.moderation.services import ModerationError, set_visibility
from app.security.roles import Role
from tests.factories import make_position, make_reply, make_user

NOTICE = ReportDraft(
    reason="illegal",
    illegal_what="It calls for violence against a named group.",
    illegal_where="Germany, StGB section 130.",
    good_faith=True,
)

BASE = "http://testserver"


async def waiting_items(db) -> list[QueueItem]:
    return list((await db.scalars(select(QueueItem).where(QueueItem.decided_at.is_(None)))).all())


async def test_readers_reporting_one_contribution_join_one_waiting_item(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    first, second = await make_user(db), await make_user(db)
    await report_contribution(db, reporter=first, contribution=contribution, draft=ReportDraft("spam"), base_url=BASE)
    await report_contribution(
        db,
        reporter=second,
        contribution=contribution,
        draft=ReportDraft("abusive", explanation="  Insults.  "),
        base_url=BASE,
    )
    [item] = await waiting_items(db)
    assert (item.contribution_id, item.report_count, item.key_message_id) == (
        contribution.id,
        2,
        contribution.key_message_id,
    )
    assert item.consultation_id == consultation.id
    reports = (await db.scalars(select(Report).order_by(Report.id))).all()
    assert [(r.reason, r.explanation, r.queue_item_id) for r in reports] == [
        (ReportReason.SPAM, None, item.id),
        (ReportReason.ABUSIVE, "Insults.", item.id),
    ]


async def test_a_reader_reports_a_contribution_once(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    reader = await make_user(db)
    await report_contribution(db, reporter=reader, contribution=contribution, draft=ReportDraft("spam"), base_url=BASE)
    with pytest.raises(AlreadyReported):
        await report_contribution(
            db, reporter=reader, contribution=contribution, draft=ReportDraft("misleading"), base_url=BASE
        )
    assert await db.scalar(select(func.count()).select_from(Report)) == 1
    [item] = await waiting_items(db)
    assert item.report_count == 1


async def test_after_a_decision_a_new_report_opens_a_new_item(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    moderator = await make_user(db, role=Role.MODERATOR)
    await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    await set_visibility(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.HIDE, reason="Advertising."
    )
    assert await waiting_items(db) == []
    await set_visibility(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.RESTORE, reason="On reflection."
    )
    await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    [item] = await waiting_items(db)
    assert item.report_count == 1
    assert await db.scalar(select(func.count()).select_from(QueueItem)) == 2


async def test_a_notice_of_illegal_content_needs_what_where_and_good_faith(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=NOTICE, base_url=BASE
    )
    assert (report.illegal_what, report.illegal_where, report.good_faith) == (
        NOTICE.illegal_what,
        NOTICE.illegal_where,
        True,
    )
    for missing, field in (
        ({"illegal_what": "Bad."}, "illegal_what"),
        ({"illegal_where": "   "}, "illegal_where"),
        ({"good_faith": False}, "good_faith"),
    ):
        with pytest.raises(ModerationError) as refused:
            validated_report(ReportDraft(**{**NOTICE.__dict__, **missing}))
        assert refused.value.field == field


def test_other_reasons_drop_the_notice_fields():
    draft = validated_report(ReportDraft("spam", illegal_what="x" * 20, illegal_where="Belgium", good_faith=True))
    assert (draft.illegal_what, draft.illegal_where, draft.good_faith) == ("", "", False)


@pytest.mark.parametrize("reason", ["", "SPAM", "hide", "spam ", "\x00", "illegal" * 50])
def test_a_reason_outside_the_list_is_refused_next_to_its_field(reason):
    with pytest.raises(ModerationError) as refused:
        validated_report(ReportDraft(reason))
    assert refused.value.field == "reason"


@pytest.mark.parametrize("field", ["explanation", "illegal_what", "illegal_where"])
def test_texts_longer_than_the_limit_are_refused(field):
    with pytest.raises(ModerationError) as refused:
        validated_report(ReportDraft(**{**NOTICE.__dict__, field: "x" * 2001}))
    assert refused.value.field == field


async def test_nobody_reports_their_own_or_a_contribution_no_longer_shown(db, consultation):
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author)
    with pytest.raises(ModerationError):
        await report_contribution(
            db, reporter=author, contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
        )
    reply = await make_reply(db, author=await make_user(db), parent=contribution)
    reply.status = ContributionStatus.WITHDRAWN
    with pytest.raises(ModerationError):
        await report_contribution(db, reporter=author, contribution=reply, draft=ReportDraft("spam"), base_url=BASE)
    assert await waiting_items(db) == []
