"""Review states and notes: one current state per contribution, every change kept with who
and why, a reason required to set an input aside, hostile text refused or cleaned."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.consolidation.models import ContributionReview, ReviewChange, ReviewState
from app.consolidation.reviews import (
    MAX_NOTE_CHARS,
    MAX_REASON_CHARS,
    CurationError,
    add_note,
    notes_on,
    review_history,
    review_states,
    set_review_state,
)
from app.security.roles import Role
from tests.factories import key_message, make_position, make_user


async def negotiator_and_contribution(db, consultation):  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR, name="Nils Negotiator")
    contribution = await make_position(db, consultation, author=await make_user(db))
    return negotiator, contribution


async def test_a_contribution_without_a_row_is_new(db, consultation):
    _negotiator, contribution = await negotiator_and_contribution(db, consultation)
    assert await review_states(db, [contribution.id, contribution.id]) == {contribution.id: ReviewState.NEW}
    assert await review_states(db, []) == {}


async def test_every_change_is_kept_and_the_row_holds_the_current_state(db, consultation):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    other = await make_user(db, role=Role.NEGOTIATOR)
    await set_review_state(db, negotiator=negotiator, contribution=contribution, state="reviewed", reason="")
    await set_review_state(db, negotiator=other, contribution=contribution, state="reflected", reason="In para 2.")
    await set_review_state(
        db, negotiator=negotiator, contribution=contribution, state="not_reflected", reason="Out of scope."
    )
    await db.flush()
    assert (await review_states(db, [contribution.id]))[contribution.id] is ReviewState.NOT_REFLECTED
    review = await db.get_one(ContributionReview, contribution.id)
    assert (review.reason, review.changed_by_id) == ("Out of scope.", negotiator.id)
    history = (await review_history(db, [contribution.id]))[contribution.id]
    assert [(c.from_state, c.to_state, c.reason, c.changed_by.id) for c in history] == [
        (ReviewState.NEW, ReviewState.REVIEWED, None, negotiator.id),
        (ReviewState.REVIEWED, ReviewState.REFLECTED, "In para 2.", other.id),
        (ReviewState.REFLECTED, ReviewState.NOT_REFLECTED, "Out of scope.", negotiator.id),
    ]


async def test_choosing_what_is_already_so_records_nothing(db, consultation):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    assert await set_review_state(db, negotiator=negotiator, contribution=contribution, state="reviewed", reason="")
    assert not await set_review_state(
        db, negotiator=negotiator, contribution=contribution, state="reviewed", reason=" "
    )
    await db.flush()
    count = await db.scalar(select(func.count()).select_from(ReviewChange))
    assert count == 1


@pytest.mark.parametrize("reason", ["", "   ", "\x00\x1b\u200b"])
async def test_not_reflected_needs_a_reason(db, consultation, reason):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    with pytest.raises(CurationError) as refused:
        await set_review_state(
            db, negotiator=negotiator, contribution=contribution, state="not_reflected", reason=reason
        )
    assert refused.value.field == "reason"
    assert (await review_states(db, [contribution.id]))[contribution.id] is ReviewState.NEW


@pytest.mark.parametrize("state", ["", "accepted", "REFLECTED", "1", "x" * 10_000, "reflected\x00"])
async def test_unknown_states_are_refused(db, consultation, state):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    with pytest.raises(CurationError) as refused:
        await set_review_state(db, negotiator=negotiator, contribution=contribution, state=state, reason="Why")
    assert refused.value.field == "state"


async def test_reasons_are_cleaned_and_bounded(db, consultation):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    with pytest.raises(CurationError):
        await set_review_state(
            db, negotiator=negotiator, contribution=contribution, state="reflected", reason="x" * (MAX_REASON_CHARS + 1)
        )
    await set_review_state(
        db, negotiator=negotiator, contribution=contribution, state="reflected", reason="In\x00 part\x1b 2."
    )
    review = await db.get_one(ContributionReview, contribution.id)
    assert "\x00" not in (review.reason or "") and "\x1b" not in (review.reason or "")


async def test_notes_are_kept_per_contribution_and_per_key_message(db, consultation):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    message = key_message(consultation, "RT2-KM3")
    await add_note(
        db, negotiator=negotiator, key_message_id=message.id, contribution_id=contribution.id, body="Ask DG."
    )
    await add_note(db, negotiator=negotiator, key_message_id=message.id, contribution_id=None, body="Whole KM.")
    notes = await notes_on(db, message.id, [contribution.id])
    assert [n.body for n in notes[contribution.id]] == ["Ask DG."]
    assert [n.body for n in notes[None]] == ["Whole KM."]
    assert notes[contribution.id][0].written_by.id == negotiator.id


@pytest.mark.parametrize("body", ["", " \x00 ", "x" * (MAX_NOTE_CHARS + 1)])
async def test_empty_or_huge_notes_are_refused(db, consultation, body):
    negotiator, contribution = await negotiator_and_contribution(db, consultation)
    with pytest.raises(CurationError) as refused:
        await add_note(
            db, negotiator=negotiator, key_message_id=contribution.key_message_id, contribution_id=None, body=body
        )
    assert refused.value.field == "note"
