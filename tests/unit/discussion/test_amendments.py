"""Proposed wording: when it is required, refused or dropped; amendments listed by support."""

from __future__ import annotations

import pytest

from app.discussion.amendments import (
    AMENDMENTS_SHOWN,
    MAX_AMENDMENT_CHARS,
    amendments_page,
    proposed_amendments,
    validated_amendment,
)
from app.discussion.errors import ContributionError
from app.discussion.models import ContributionStatus
from app.discussion.publication import NEGOTIATORS, PUBLIC
from app.text.footnotes import strip_footnote_markers
from tests.factories import key_message, make_position, make_user

AMENDS = "support_with_amendments"


def wording(consultation, ref="RT2-KM2"):
    return strip_footnote_markers(key_message(consultation, ref).text)


async def test_an_amending_position_needs_wording(consultation):
    with pytest.raises(ContributionError) as error:
        validated_amendment("   ", AMENDS, consultation, key_message(consultation, "RT2-KM2"))
    assert error.value.field == "amendment_text"
    assert "Write the wording you propose" in error.value.message


async def test_wording_identical_to_the_key_message_is_refused_whatever_the_spacing(consultation):
    message = key_message(consultation, "RT2-KM2")
    respaced = "  " + wording(consultation).replace(" ", "\n  ") + " "
    with pytest.raises(ContributionError, match="the same as the key message"):
        validated_amendment(respaced, AMENDS, consultation, message)


async def test_wording_is_kept_with_single_spaces(consultation):
    message = key_message(consultation, "RT2-KM2")
    proposed = wording(consultation).replace("Alle staten", "Alle  lidstaten\n")
    assert validated_amendment(proposed, AMENDS, consultation, message) == " ".join(proposed.split())


async def test_too_long_wording_is_refused(consultation):
    message = key_message(consultation, "RT2-KM2")
    with pytest.raises(ContributionError, match=r"under 5,?000 characters"):
        validated_amendment("x" * (MAX_AMENDMENT_CHARS + 1), AMENDS, consultation, message)


@pytest.mark.parametrize("sent", ["", "   ", "the key message"])
async def test_other_positions_drop_the_unchanged_or_empty_box(consultation, sent):
    message = key_message(consultation, "RT2-KM2")
    text = wording(consultation) if sent == "the key message" else sent
    assert validated_amendment(text, "support", consultation, message) is None
    assert validated_amendment(text, None, consultation, message) is None


async def test_changed_wording_with_another_position_is_refused_rather_than_lost(consultation):
    message = key_message(consultation, "RT2-KM2")
    with pytest.raises(ContributionError) as error:
        validated_amendment(wording(consultation) + " En meer.", "oppose", consultation, message)
    assert error.value.field == "amendment_text"
    assert "“Support with amendments”" in error.value.message
    assert "empty the wording box" in error.value.message


async def amendment(db, consultation, *, endorsements=0, **draft):
    author = await make_user(db)
    contribution = await make_position(
        db,
        consultation,
        author=author,
        ref="RT2-KM2",
        position=AMENDS,
        amendment_text=wording(consultation).replace("Alle staten", f"Alle {len(draft)} staten {author.id}"),
        **draft,
    )
    contribution.endorsement_count = endorsements
    await db.flush()
    return contribution


async def test_amendments_are_listed_most_endorsed_first_then_oldest(db, consultation):
    little = await amendment(db, consultation, endorsements=1)
    most = await amendment(db, consultation, endorsements=5)
    none = await amendment(db, consultation)
    also_one = await amendment(db, consultation, endorsements=1)
    await make_position(db, consultation, author=await make_user(db), ref="RT2-KM2", position="support")
    summary = await proposed_amendments(db, consultation, key_message(consultation, "RT2-KM2"), PUBLIC)
    assert [view.id for view in summary.shown] == [most.id, little.id, also_one.id, none.id]
    assert summary.total == 4


async def test_hidden_and_unpublished_amendments_are_left_out_for_the_public(db, consultation):
    shown = await amendment(db, consultation)
    hidden = await amendment(db, consultation)
    hidden.status = ContributionStatus.HIDDEN
    unpublished = await amendment(db, consultation, publication="not_for_publication")
    await db.flush()
    message = key_message(consultation, "RT2-KM2")
    public = await proposed_amendments(db, consultation, message, PUBLIC)
    assert [view.id for view in public.shown] == [shown.id] and public.total == 1
    negotiators = await proposed_amendments(db, consultation, message, NEGOTIATORS)
    assert {view.id for view in negotiators.shown} == {shown.id, unpublished.id}


async def test_the_summary_counts_those_it_does_not_show(db, consultation):
    for _ in range(AMENDMENTS_SHOWN + 2):
        await amendment(db, consultation)
    summary = await proposed_amendments(db, consultation, key_message(consultation, "RT2-KM2"), PUBLIC)
    assert len(summary.shown) == AMENDMENTS_SHOWN and summary.total == AMENDMENTS_SHOWN + 2


async def test_anonymous_amendments_carry_no_names(db, consultation):
    await amendment(db, consultation, publication="anonymous")
    [view] = (await proposed_amendments(db, consultation, key_message(consultation, "RT2-KM2"), PUBLIC)).shown
    assert view.author is None and view.organisation is None


async def test_the_full_list_pages_by_support_without_repeating_or_skipping(db, consultation):
    made = [await amendment(db, consultation, endorsements=count) for count in (0, 3, 1, 3, 0, 2, 1)]
    expected = [c.id for c in sorted(made, key=lambda c: (-c.endorsement_count, c.id))]
    message = key_message(consultation, "RT2-KM2")
    seen, cursor = [], None
    for _ in range(10):
        page = await amendments_page(db, consultation, message, PUBLIC, cursor=cursor, page_size=3)
        assert page.total == len(made)
        seen += [view.id for view in page.amendments]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize("cursor", ["", "nonsense", "3_", "_4", "-1_2", "²_1"])
async def test_a_malformed_cursor_starts_from_the_top(db, consultation, cursor):
    first = await amendment(db, consultation, endorsements=2)
    page = await amendments_page(
        db, consultation, key_message(consultation, "RT2-KM2"), PUBLIC, cursor=cursor, page_size=5
    )
    assert page.amendments[0].id == first.id
