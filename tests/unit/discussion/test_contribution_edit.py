"""Editing within the window (every version kept), and withdrawing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.consultation.models import KeyMessage
from app.discussion.contribution_edit import (
    Changes,
    EditRefused,
    author_actions,
    aware,
    edit_contribution,
    edit_deadline,
    version_of,
    withdraw_contribution,
)
from app.discussion.edit_history import contribution_versions, word_diff
from app.discussion.errors import ContributionError
from app.discussion.models import ContributionRevision, ContributionStatus
from tests.factories import make_position, make_reply, make_user

WINDOW = 30


def changes_to(contribution, **values):
    defaults = {
        "body": contribution.body_source,
        "language": contribution.language,
        "version": version_of(contribution),
        "position": contribution.position,
        "amendment_text": contribution.amendment_text or "",
    }
    return Changes(**{**defaults, **values})


async def edit(db, consultation, contribution, *, now, **values):
    return await edit_contribution(
        db,
        contribution=contribution,
        consultation=consultation,
        key_message=await db.get_one(KeyMessage, contribution.key_message_id),
        changes=changes_to(contribution, **values),
        window_minutes=WINDOW,
        max_chars=1000,
        now=now,
    )


async def revisions(db, contribution):
    return (
        await db.scalars(select(ContributionRevision).where(ContributionRevision.contribution_id == contribution.id))
    ).all()


async def discussion_version(db, contribution):
    return await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == contribution.key_message_id))


@pytest.fixture
async def position(db, consultation):
    return await make_position(db, consultation, author=await make_user(db), body="We *support* this.")


async def test_an_edit_keeps_the_previous_version_and_renders_the_new_one(db, consultation, position):
    created = position.created_at
    now = edit_deadline(position, WINDOW) - timedelta(minutes=10)
    before = await discussion_version(db, position)

    assert await edit(db, consultation, position, now=now, body="We **strongly** support this.")

    assert position.body_source == "We **strongly** support this."
    assert "<strong>strongly</strong>" in position.body_html
    assert position.edited_at is not None
    [revision] = await revisions(db, position)
    assert revision.body_source == "We *support* this." and "<em>support</em>" in revision.body_html
    assert revision.position == "support"
    assert aware(revision.written_at) == aware(created) and aware(revision.replaced_at) == now
    assert await discussion_version(db, position) == before + 1


async def test_a_second_edit_dates_the_replaced_version_from_the_first_edit(db, consultation, position):
    first = edit_deadline(position, WINDOW) - timedelta(minutes=20)
    await edit(db, consultation, position, now=first, body="Second wording.")
    await edit(db, consultation, position, now=first + timedelta(minutes=5), body="Third wording.")

    history = await contribution_versions(db, position)

    assert [v.number for v in history] == [3, 2, 1]
    assert history[0].is_current and history[0].replaced_at is None
    assert aware(history[1].written_at) == first
    assert [s.text for s in history[0].body_changes if s.kind == "inserted"] == ["Third"]


async def test_an_edit_that_changes_nothing_keeps_no_revision(db, consultation, position):
    now = edit_deadline(position, WINDOW) - timedelta(minutes=1)

    assert not await edit(db, consultation, position, now=now, body="  We *support* this.\r\n")

    assert await revisions(db, position) == []
    assert position.edited_at is None


async def test_the_window_closes_exactly_at_the_deadline(db, consultation, position):
    deadline = edit_deadline(position, WINDOW)
    assert await edit(db, consultation, position, now=deadline - timedelta(microseconds=1), body="Just in time.")
    with pytest.raises(EditRefused, match="changed for 30 minutes after publishing"):
        await edit(db, consultation, position, now=deadline, body="Too late.")
    assert position.body_source == "Just in time."


async def test_a_closed_consultation_fixes_contributions(db, consultation, position):
    consultation.closes_at = aware(position.created_at) + timedelta(minutes=1)
    closed = r"consultation closed on [A-Z][a-z]+ \d+, \d{4}, \d\d:\d\d CES?T \(UTC\+0[12]:00\)"
    assert await edit(db, consultation, position, now=consultation.closes_at - timedelta(seconds=1), body="In time.")
    with pytest.raises(EditRefused, match=closed):
        await edit(db, consultation, position, now=consultation.closes_at, body="Changed.")
    consultation.closes_at = aware(position.created_at)  # withdrawing is refused from then on, now
    with pytest.raises(EditRefused, match=closed):
        await withdraw_contribution(db, contribution=position, consultation=consultation)


async def test_before_it_opens_nothing_changes_and_the_page_says_when(db, consultation, position):
    consultation.opens_at = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    actions = author_actions(position, consultation, window_minutes=WINDOW, now=aware(position.created_at))
    assert actions.edit_until is None and not actions.may_withdraw
    assert actions.edit_refusal == (
        "The consultation opens on January 1, 2099, 10:00 CET (UTC+01:00); until then contributions cannot be changed."
    )


@pytest.mark.parametrize("status", [ContributionStatus.HIDDEN, ContributionStatus.WITHDRAWN])
async def test_a_hidden_or_withdrawn_contribution_cannot_be_edited(db, consultation, position, status):
    position.status = status
    with pytest.raises(EditRefused):
        await edit(db, consultation, position, now=position.created_at, body="Changed.")


async def test_a_form_opened_on_an_older_version_is_refused(db, consultation, position):
    stale = version_of(position)
    now = position.created_at + timedelta(minutes=1)
    await edit(db, consultation, position, now=now, body="Changed in one window.")

    with pytest.raises(ContributionError, match="changed since you opened it") as error:
        await edit(db, consultation, position, now=now, body="Changed in another.", version=stale)
    assert error.value.field == "body"
    # The same form submitted twice (a double click) is not an error and keeps one revision.
    assert not await edit(db, consultation, position, now=now, body="Changed in one window.", version=stale)
    assert len(await revisions(db, position)) == 1


async def test_the_position_and_amendment_follow_the_publishing_rules(db, consultation, position):
    now = position.created_at + timedelta(minutes=1)
    with pytest.raises(ContributionError) as error:
        await edit(db, consultation, position, now=now, position="strongly_agree")
    assert error.value.field == "position"
    with pytest.raises(ContributionError) as error:
        await edit(db, consultation, position, now=now, position="support_with_amendments", amendment_text="")
    assert error.value.field == "amendment_text"

    await edit(
        db, consultation, position, now=now, position="support_with_amendments", amendment_text="A better  wording."
    )

    assert position.position == "support_with_amendments" and position.amendment_text == "A better wording."
    [revision] = await revisions(db, position)
    assert revision.position == "support" and revision.amendment_text is None


async def test_switching_away_from_amending_drops_the_wording(db, consultation):
    amending = await make_position(db, consultation, author=await make_user(db), position="support_with_amendments")
    await edit(db, consultation, amending, now=amending.created_at, position="support", amendment_text="")
    assert amending.amendment_text is None
    [revision] = await revisions(db, amending)
    assert revision.amendment_text == "A proposed new wording of this key message."


async def test_a_reply_keeps_having_no_position(db, consultation, position):
    reply = await make_reply(db, author=await make_user(db), parent=position, body="A reply.")
    await edit(db, consultation, reply, now=reply.created_at, body="A better reply.", position="oppose")
    assert reply.position is None and reply.body_source == "A better reply."


async def test_the_body_and_language_are_validated(db, consultation, position):
    now = position.created_at
    with pytest.raises(ContributionError, match="Write your contribution"):
        await edit(db, consultation, position, now=now, body="  ")
    with pytest.raises(ContributionError) as error:
        await edit(db, consultation, position, now=now, language="xx")
    assert error.value.field == "language"
    assert await edit(db, consultation, position, now=now, language="fr")
    assert position.language == "fr"


async def test_withdrawing_keeps_the_row_and_its_replies(db, consultation, position):
    reply = await make_reply(db, author=await make_user(db), parent=position)
    before = await discussion_version(db, position)

    await withdraw_contribution(db, contribution=position, consultation=consultation)

    assert position.status is ContributionStatus.WITHDRAWN
    assert position.body_source == "We *support* this."  # kept for moderators; no longer shown
    assert reply.status is ContributionStatus.VISIBLE
    assert await discussion_version(db, position) == before + 1
    with pytest.raises(EditRefused, match="already withdrawn"):
        await withdraw_contribution(db, contribution=position, consultation=consultation)


async def test_an_author_may_withdraw_after_the_edit_window_and_after_hiding(db, consultation, position):
    position.status = ContributionStatus.HIDDEN
    actions = author_actions(
        position, consultation, window_minutes=WINDOW, now=edit_deadline(position, WINDOW) + timedelta(days=3)
    )
    assert actions.edit_until is None and actions.edit_refusal and actions.may_withdraw
    await withdraw_contribution(db, contribution=position, consultation=consultation)
    assert position.status is ContributionStatus.WITHDRAWN


async def test_author_actions_offer_editing_until_the_deadline(db, consultation, position):
    deadline = edit_deadline(position, WINDOW)
    open_now = author_actions(position, consultation, window_minutes=WINDOW, now=deadline - timedelta(seconds=1))
    assert open_now.edit_until == deadline and open_now.edit_refusal is None and not open_now.edited
    closed = author_actions(position, consultation, window_minutes=WINDOW, now=deadline)
    assert closed.edit_until is None and "fixed since" in closed.edit_refusal


def test_word_diff_marks_whole_words_and_rebuilds_both_texts():
    old, new = "Remittances help families.", "Remittances really help many families!"
    segments = word_diff(old, new)
    assert [s.text.strip() for s in segments if s.kind == "inserted"] == ["really", "many", "!"]
    assert [s.text.strip() for s in segments if s.kind == "deleted"] == ["."]
    assert "".join(s.text for s in segments if s.kind != "inserted") == old
    assert "".join(s.text for s in segments if s.kind != "deleted") == new


def test_word_diff_of_equal_texts_has_no_changes():
    assert [s.kind for s in word_diff("Same text.", "Same text.")] == ["same"]
    assert word_diff("", "") == []
