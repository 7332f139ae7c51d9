"""Revised wordings: versions kept, the latest current, the contributions reflected chosen
among the key message's own, hostile input refused."""

from __future__ import annotations

import pytest

from app.consolidation.reviews import CurationError
from app.consolidation.revisions import (
    MAX_SOURCES,
    MAX_WORDING_CHARS,
    current_wording,
    parse_ids,
    save_wording,
    wording_history,
)
from app.security.roles import Role
from tests.factories import key_message, make_position, make_user


async def setting(db, consultation):  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    message = key_message(consultation, "RT2-KM3")
    here = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM3")
    elsewhere = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM1")
    return negotiator, message, here, elsewhere


async def test_versions_are_kept_and_the_latest_is_current(db, consultation):
    negotiator, message, here, _elsewhere = await setting(db, consultation)
    assert await current_wording(db, message.id) is None
    first = await save_wording(
        db, negotiator=negotiator, key_message=message, text="First  wording.", contribution_ids=[]
    )
    second = await save_wording(
        db, negotiator=negotiator, key_message=message, text="Second wording.", contribution_ids=[f"#{here.id}"]
    )
    assert first is not None and second is not None
    assert (first.version, first.text, second.version) == (1, "First wording.", 2)
    current = await current_wording(db, message.id)
    assert current is not None and (current.text, current.contribution_ids) == ("Second wording.", [here.id])
    assert [w.version for w in await wording_history(db, message.id)] == [2, 1]


async def test_saving_the_current_wording_again_adds_nothing(db, consultation):
    negotiator, message, here, _elsewhere = await setting(db, consultation)
    await save_wording(db, negotiator=negotiator, key_message=message, text="Same.", contribution_ids=[str(here.id)])
    again = await save_wording(
        db, negotiator=negotiator, key_message=message, text=" Same. ", contribution_ids=[f"{here.id},{here.id}"]
    )
    assert again is None
    assert len(await wording_history(db, message.id)) == 1


async def test_only_the_key_messages_own_contributions_may_be_reflected(db, consultation):
    negotiator, message, here, elsewhere = await setting(db, consultation)
    with pytest.raises(CurationError) as refused:
        await save_wording(
            db, negotiator=negotiator, key_message=message, text="W.", contribution_ids=[f"{here.id} {elsewhere.id}"]
        )
    assert refused.value.field == "contributions" and str(elsewhere.id) in refused.value.message
    with pytest.raises(CurationError):
        await save_wording(db, negotiator=negotiator, key_message=message, text="W.", contribution_ids=["999999999"])
    assert await current_wording(db, message.id) is None


@pytest.mark.parametrize("typed", ["12a", "-3", "1.5", "9" * 40, "<script>", "1e9"])
def test_ids_that_are_not_numbers_are_refused(typed):
    with pytest.raises(CurationError):
        parse_ids([typed])


def test_ids_are_read_from_commas_spaces_and_hashes():
    assert parse_ids(["#3, 1;2", " 3 ", ""]) == [1, 2, 3]


@pytest.mark.parametrize("text", ["", " \x00\x1b ", "x" * (MAX_WORDING_CHARS + 1)])
async def test_empty_or_huge_wordings_are_refused(db, consultation, text):
    negotiator, message, _here, _elsewhere = await setting(db, consultation)
    with pytest.raises(CurationError) as refused:
        await save_wording(db, negotiator=negotiator, key_message=message, text=text, contribution_ids=[])
    assert refused.value.field == "text"


async def test_too_many_sources_are_refused(db, consultation):
    negotiator, message, _here, _elsewhere = await setting(db, consultation)
    many = " ".join(str(n) for n in range(1, MAX_SOURCES + 2))
    with pytest.raises(CurationError) as refused:
        await save_wording(db, negotiator=negotiator, key_message=message, text="W.", contribution_ids=[many])
    assert refused.value.field == "contributions"
