"""Appeals of a held contribution's rejection (issue 11, DSA article 20): once, within six
months, by its author, decided by another moderator; publishing it after all counts as a
reversal in the transparency figures."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.consultation.models import PreModeration
from app.db import utcnow
from app.discussion.contribution_write import Draft, publish_position
from app.discussion.holding import Held
from app.discussion.models import HeldOutcome
from app.mail.models import OutgoingMail
from app.moderation.appeals import appealable_rejection, file_held_appeal
from app.moderation.holds import enqueue_held
from app.moderation.models import ModerationAction, ModerationLogEntry, QueueItem
from app.moderation.queue import QueueFilters, decide, waiting_page
from app.moderation.services import ModerationError
from app.moderation.transparency import transparency_report
from app.security.roles import Role
from tests.factories import key_message, make_user
from tests.unit.moderation.test_queue import BASE, MODERATORS


async def rejected(db, consultation):
    author = await make_user(db)
    held = await publish_position(
        db,
        author=author,
        consultation=consultation,
        key_message=key_message(consultation, "RT2-KM3"),
        draft=Draft(body="Our first word here.", submission_key=secrets.token_urlsafe(12), position="support"),
        max_chars=10_000,
        premoderation=PreModeration.FIRST_CONTRIBUTION,
    )
    assert isinstance(held, Held)
    await enqueue_held(db, held.held)
    item_id = await db.scalar(select(QueueItem.id).where(QueueItem.held_id == held.held.id))
    first = await make_user(db, role=Role.MODERATOR)
    rejection = await decide(
        db, moderator=first, item_id=item_id, action=ModerationAction.REJECT, reason="Not on topic.", base_url=BASE
    )
    return author, held.held, first, rejection


async def test_appealed_then_upheld_by_another_moderator(db, consultation):
    author, held, first, rejection = await rejected(db, consultation)
    assert (await appealable_rejection(db, held)).id == rejection.id
    appeal = await file_held_appeal(db, author=author, held=held, text="It answers the key message directly.")
    assert await appealable_rejection(db, held) is None  # once per decision
    with pytest.raises(ModerationError):
        await file_held_appeal(db, author=author, held=held, text="And a second time, please.")

    [item] = (await waiting_page(db, QueueFilters(), MODERATORS)).items
    assert item.id == appeal.queue_item_id and item.held is not None and item.held.id == held.id
    assert item.appeal.held_id == held.id and item.contribution is None
    assert item.actions == [ModerationAction.KEEP, ModerationAction.APPROVE]
    with pytest.raises(ModerationError) as same:
        await decide(db, moderator=first, item_id=item.id, action=ModerationAction.KEEP, reason="Mine.", base_url=BASE)
    assert same.value.field == "item"
    second = await make_user(db, role=Role.MODERATOR)
    with pytest.raises(ModerationError) as wrong:
        await decide(
            db,
            moderator=second,
            item_id=item.id,
            action=ModerationAction.HIDE,
            reason="Hide it instead.",
            base_url=BASE,
        )
    assert wrong.value.field == "action"
    kept = await decide(
        db, moderator=second, item_id=item.id, action=ModerationAction.KEEP, reason="Off topic.", base_url=BASE
    )
    assert kept.held_id == held.id and held.outcome is HeldOutcome.REJECTED
    mail = await db.scalar(
        select(OutgoingMail).where(OutgoingMail.recipient == author.email).order_by(OutgoingMail.id.desc())
    )
    assert mail.subject == "Your appeal was decided" and "is not published" in mail.body_text


async def test_publishing_after_an_appeal_is_a_reversal(db, consultation):
    author, held, _first, _rejection = await rejected(db, consultation)
    appeal = await file_held_appeal(db, author=author, held=held, text="It answers the key message directly.")
    answer = await decide(
        db,
        moderator=await make_user(db, role=Role.MODERATOR),
        item_id=appeal.queue_item_id,
        action=ModerationAction.APPROVE,
        reason="It is on topic.",
        base_url=BASE,
    )
    assert held.outcome is HeldOutcome.APPROVED and answer.contribution_id == held.contribution_id is not None
    figures = await transparency_report(db, consultation.id, utcnow().date())
    assert sum(month.reversals for month in figures) == 1 and sum(month.appeals for month in figures) == 1


async def test_nothing_to_appeal_for_someone_else_too_late_or_approved(db, consultation):
    author, held, _first, rejection = await rejected(db, consultation)
    with pytest.raises(ModerationError):
        await file_held_appeal(db, author=await make_user(db), held=held, text="Appealing for a stranger.")
    with pytest.raises(ModerationError):
        await file_held_appeal(db, author=author, held=held, text="Short")
    await db.execute(
        update(ModerationLogEntry)
        .where(ModerationLogEntry.id == rejection.id)
        .values(created_at=utcnow() - timedelta(days=200))
    )
    await db.refresh(rejection)
    assert await appealable_rejection(db, held) is None
    held.outcome = HeldOutcome.APPROVED
    assert await appealable_rejection(db, held) is None
