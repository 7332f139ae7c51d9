"""Appeals and what moderation mails: the author gets a statement of reasons (decision,
reason, rule, how to appeal) and the result of an appeal, decided by another moderator;
reporters get a receipt and the decision; nobody is told who reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.discussion.models import ContributionStatus
from app.mail.models import OutgoingMail
from app.moderation.appeals import appealable_decision, file_appeal
from app.moderation.models import Appeal, ModerationAction, ModerationLogEntry, QueueItem, QueueKind
from app.moderation.queue import QueueFilters, decide, waiting_page
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.services import ModerationError
from app.privacy.erasure import PersonalContributions, erase_account
from app.security.roles import Role
from tests.factories import make_position, make_user
from tests.unit.moderation.test_queue import MODERATORS

BASE = "https://roundtable.example"


async def mails_to(db, email: str) -> list[OutgoingMail]:
    sent = select(OutgoingMail).where(OutgoingMail.recipient == email).order_by(OutgoingMail.id)
    return list((await db.scalars(sent)).all())


async def hidden_after_a_report(db, consultation):
    author = await make_user(db, name="Ama Author")
    reporter = await make_user(db, name="Rita Reporter")
    moderator = await make_user(db, role=Role.MODERATOR, name="Mo First")
    contribution = await make_position(db, consultation, author=author, body="Words some found rude.")
    report = await report_contribution(
        db, reporter=reporter, contribution=contribution, draft=ReportDraft("abusive"), base_url=BASE
    )
    entry = await decide(
        db,
        moderator=moderator,
        item_id=report.queue_item_id,
        action=ModerationAction.HIDE,
        reason="Insults another participant.",
        rule="R1",
        base_url=BASE,
    )
    return author, reporter, moderator, contribution, entry


async def test_the_reporter_gets_a_receipt_then_the_decision_and_the_author_the_reasons(db, consultation):
    author, reporter, _moderator, contribution, entry = await hidden_after_a_report(db, consultation)
    assert entry.rule == "R1"
    receipt, decided = await mails_to(db, reporter.email)
    assert "We received your report of a contribution on RT2-KM3" in receipt.body_text
    assert f"{BASE}/contributions/{contribution.id}#c{contribution.id}" in receipt.body_text
    assert "Decision: Hide" in decided.body_text and "Insults another participant." in decided.body_text
    [statement] = await mails_to(db, author.email)
    body = statement.body_text
    assert statement.subject == "Your contribution was hidden: the reasons"
    assert "statement of reasons" in body and "Reason: Insults another participant." in body
    assert "Rule: R1, Respect other participants" in body and "No insults, harassment" in body
    assert f"{BASE}/contributions/{contribution.id}/appeal" in body
    assert "Rita Reporter" not in body and reporter.email not in body


async def test_an_appeal_waits_in_the_queue_and_is_decided_by_another_moderator(db, consultation):
    author, _reporter, first, contribution, entry = await hidden_after_a_report(db, consultation)
    appeal = await file_appeal(db, author=author, contribution=contribution, text="It was a quote, not an insult.")
    assert appeal.decision_id == entry.id
    [item] = (await waiting_page(db, QueueFilters(), MODERATORS)).items
    assert item.kind is QueueKind.APPEAL and item.appeal.text == "It was a quote, not an insult."
    assert (item.appeal.decided_by, item.appeal.decision_reason) == ("Mo First", "Insults another participant.")
    assert item.actions == [ModerationAction.KEEP, ModerationAction.RESTORE]
    with pytest.raises(ModerationError) as refused:
        await decide(
            db,
            moderator=first,
            item_id=item.id,
            action=ModerationAction.RESTORE,
            reason="Changed my mind.",
            base_url=BASE,
        )
    assert "another moderator" in refused.value.message
    second = await make_user(db, role=Role.MODERATOR)
    await decide(
        db, moderator=second, item_id=item.id, action=ModerationAction.RESTORE, reason="A quotation.", base_url=BASE
    )
    assert contribution.status is ContributionStatus.VISIBLE
    result = (await mails_to(db, author.email))[-1]
    assert result.subject == "Your appeal was decided" and "restored your contribution" in result.body_text


async def test_an_upheld_appeal_tells_the_author_it_stays_hidden(db, consultation):
    author, _reporter, _first, contribution, _entry = await hidden_after_a_report(db, consultation)
    appeal = await file_appeal(db, author=author, contribution=contribution, text="Please look again at this.")
    second = await make_user(db, role=Role.MODERATOR)
    await decide(
        db,
        moderator=second,
        item_id=appeal.queue_item_id,
        action=ModerationAction.KEEP,
        reason="The words insult a person.",
        base_url=BASE,
    )
    assert contribution.status is ContributionStatus.HIDDEN
    assert "stays hidden" in (await mails_to(db, author.email))[-1].body_text
    assert await appealable_decision(db, contribution) is None  # a decision is appealed once


async def test_appeals_are_refused_when_there_is_nothing_to_appeal(db, consultation):
    author, _reporter, _first, contribution, entry = await hidden_after_a_report(db, consultation)
    stranger = await make_user(db)
    for who, text, field_message in (
        (author, "short", "sentence or two"),
        (author, "x" * 2001, "under 2000"),
        (stranger, "I am not the author but I object.", "Only the author"),
    ):
        with pytest.raises(ModerationError) as refused:
            await file_appeal(db, author=who, contribution=contribution, text=text)
        assert field_message in refused.value.message
    await db.execute(
        update(ModerationLogEntry)
        .where(ModerationLogEntry.id == entry.id)
        .values(created_at=entry.created_at - timedelta(days=200))
    )
    await db.refresh(entry)
    with pytest.raises(ModerationError):
        await file_appeal(db, author=author, contribution=contribution, text="Too late, but I try anyway.")
    visible = await make_position(db, consultation, author=author, ref="RT1-KM1")
    with pytest.raises(ModerationError):
        await file_appeal(db, author=author, contribution=visible, text="Nothing was decided on this one.")
    assert await db.scalar(select(func.count()).select_from(Appeal)) == 0


async def test_a_rule_must_be_one_of_the_consultation(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    with pytest.raises(ModerationError) as refused:
        await decide(
            db,
            moderator=await make_user(db, role=Role.MODERATOR),
            item_id=report.queue_item_id,
            action=ModerationAction.HIDE,
            reason="Spam, under a rule that does not exist.",
            rule="R99",
            base_url=BASE,
        )
    assert refused.value.field == "rule"
    assert (await db.get_one(QueueItem, report.queue_item_id)).decided_at is None


async def test_an_erased_author_gets_no_mail(db, consultation):
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author)
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    email = author.email
    await erase_account(db, author, contributions=PersonalContributions.KEEP)
    await decide(
        db,
        moderator=await make_user(db, role=Role.MODERATOR),
        item_id=report.queue_item_id,
        action=ModerationAction.HIDE,
        reason="Advertising.",
        base_url=BASE,
    )
    assert await mails_to(db, author.email) == [] and await mails_to(db, email) == []
