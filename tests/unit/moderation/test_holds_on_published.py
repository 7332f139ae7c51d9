"""A hold (issue 11): a reported contribution hidden while the moderators look into it. The
waiting item stays in the queue until the final decision, hide for good (the decision the
author may appeal) or restore; the author hears of the hold, the reporters of the end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.discussion.models import ContributionStatus
from app.discussion.tallies import tallies
from app.mail.models import OutgoingMail
from app.moderation.appeals import appealable_decision
from app.moderation.models import ModerationAction, QueueItem
from app.moderation.queue import QueueFilters, decide, waiting_count, waiting_page
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.services import ModerationError, moderation_history
from app.security.roles import Role
from tests.factories import key_message, make_position, make_user
from tests.unit.moderation.test_queue import BASE, MODERATORS


async def held_on_review(db, consultation):
    author = await make_user(db, name="Held Author")
    contribution = await make_position(db, consultation, author=author, body="A heated claim about a minister.")
    reporter = await make_user(db, name="Worried Reader")
    report = await report_contribution(
        db, reporter=reporter, contribution=contribution, draft=ReportDraft("abusive"), base_url=BASE
    )
    moderator = await make_user(db, role=Role.MODERATOR)
    entry = await decide(
        db,
        moderator=moderator,
        item_id=report.queue_item_id,
        action=ModerationAction.HOLD,
        reason="Checking whether this names a private person.",
        rule="R1",
        base_url=BASE,
    )
    return author, reporter, contribution, report.queue_item_id, entry


async def mails_to(db, email):
    sent = select(OutgoingMail).where(OutgoingMail.recipient == email).order_by(OutgoingMail.id)  # [-1] is the latest
    return (await db.scalars(sent)).all()


async def test_a_hold_hides_it_from_readers_and_the_tallies_but_the_item_waits(db, consultation):
    author, reporter, contribution, item_id, entry = await held_on_review(db, consultation)
    assert (contribution.status, contribution.moderation_reason) == (
        ContributionStatus.HIDDEN,
        "Checking whether this names a private person.",
    )
    counted = await tallies(db, [key_message(consultation, "RT2-KM3").id])
    assert sum(counted[contribution.key_message_id].by_position.values()) == 0
    item = await db.get_one(QueueItem, item_id)
    assert item.decided_at is None and item.hold_id == entry.id and await waiting_count(db) == 1
    [waiting] = (await waiting_page(db, QueueFilters(), MODERATORS)).items
    assert waiting.on_hold and waiting.actions == [ModerationAction.HIDE, ModerationAction.RESTORE]

    [notice] = await mails_to(db, author.email)
    assert "on hold" in notice.subject and "Checking whether this names a private person." in notice.body_text
    assert "/appeal" not in notice.body_text  # a hold is not the final decision
    assert [m.subject for m in await mails_to(db, reporter.email)] == ["We received your report"]
    # Nothing to appeal yet: the statement of reasons comes with the final decision.
    assert await appealable_decision(db, contribution) is None


async def test_hiding_for_good_closes_the_item_and_sends_the_statement_of_reasons(db, consultation):
    author, reporter, contribution, item_id, _hold = await held_on_review(db, consultation)
    second = await make_user(db, role=Role.MODERATOR)
    final = await decide(
        db,
        moderator=second,
        item_id=item_id,
        action=ModerationAction.HIDE,
        reason="It names a private person.",
        rule="R1",
        base_url=BASE,
    )
    assert final.action is ModerationAction.HIDE and contribution.status is ContributionStatus.HIDDEN
    assert contribution.moderation_reason == "It names a private person."
    item = await db.get_one(QueueItem, item_id)
    assert item.decision_id == final.id and await waiting_count(db) == 0
    history = [e.action for e in await moderation_history(db, contribution.id)]
    assert sorted(a.value for a in history) == ["hide", "hold"]
    statement = (await mails_to(db, author.email))[-1]
    assert "the reasons" in statement.subject and statement.body_text.rstrip().count("/appeal") == 1
    assert "The moderators decided on your report" in [m.subject for m in await mails_to(db, reporter.email)]
    assert (await appealable_decision(db, contribution)).id == final.id


async def test_restoring_after_a_hold_shows_it_again(db, consultation):
    author, reporter, contribution, item_id, _hold = await held_on_review(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    await decide(
        db,
        moderator=moderator,
        item_id=item_id,
        action=ModerationAction.RESTORE,
        reason="A public figure.",
        base_url=BASE,
    )
    assert (contribution.status, contribution.moderation_reason) == (ContributionStatus.VISIBLE, None)
    assert await waiting_count(db) == 0
    assert "shown again" in (await mails_to(db, author.email))[-1].subject
    assert "The moderators decided on your report" in [m.subject for m in await mails_to(db, reporter.email)]


async def test_an_item_on_hold_takes_neither_a_second_hold_nor_keep(db, consultation):
    _author, _reporter, contribution, item_id, _hold = await held_on_review(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    for action in (ModerationAction.HOLD, ModerationAction.KEEP, ModerationAction.LOCK):
        with pytest.raises(ModerationError) as refused:
            await decide(db, moderator=moderator, item_id=item_id, action=action, reason="Again.", base_url=BASE)
        assert refused.value.field == "action"
    assert [e.action for e in await moderation_history(db, contribution.id)] == [ModerationAction.HOLD]
