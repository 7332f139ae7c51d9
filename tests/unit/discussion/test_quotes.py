"""Quoting a passage of a key message: validation, the highlighted passages, who quotes what."""

from __future__ import annotations

import pytest

from app.discussion.errors import ContributionError
from app.discussion.models import ContributionStatus, PublicationConsent
from app.discussion.publication import NEGOTIATORS, PUBLIC
from app.discussion.quotes import (
    MIN_QUOTE_CHARS,
    QuotedPassage,
    count_quoting,
    merged,
    quoted_passages,
    quoting_contributions,
    validated_quote,
)
from app.text.footnotes import sentences, strip_footnote_markers
from tests.factories import key_message, make_position, make_reply, make_user

# RT1-KM2 has a footnote marker: "... moet worden uitgebreid[^7]. Het toenemende ..."
REF = "RT1-KM2"


def plain(consultation) -> str:
    return strip_footnote_markers(key_message(consultation, REF).text)


def at(consultation, passage: str, occurrence: int = 0) -> int:
    text, start = plain(consultation), -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return start


# -- validation ---------------------------------------------------------------------------


async def test_a_passage_is_found_in_the_text_without_footnote_markers(consultation):
    message = key_message(consultation, REF)

    quote = validated_quote("  uitgebreid. Het toenemende\n", message)

    assert quote is not None
    assert quote.text == "uitgebreid. Het toenemende"
    assert plain(consultation)[quote.start : quote.start + len(quote.text)] == quote.text
    assert "[^7]" in message.text, "the seed text keeps its marker; the quote does not"


async def test_every_sentence_of_the_list_is_a_valid_quote(consultation):
    message = key_message(consultation, REF)

    for sentence in sentences(message.text):
        quote = validated_quote(sentence, message)
        assert quote is not None and quote.start == plain(consultation).index(sentence)


async def test_no_passage_is_no_quote(consultation):
    assert validated_quote("   ", key_message(consultation, REF)) is None


async def test_a_passage_not_in_the_text_is_refused(consultation):
    with pytest.raises(ContributionError) as refused:
        validated_quote("uitgebreid[^7]. Het", key_message(consultation, REF))

    assert refused.value.field == "quote_text"
    assert "copied exactly" in refused.value.message


async def test_too_short_a_passage_is_refused(consultation):
    with pytest.raises(ContributionError) as refused:
        validated_quote("De", key_message(consultation, REF))

    assert refused.value.field == "quote_text"
    assert str(MIN_QUOTE_CHARS) in refused.value.message


async def test_the_whole_text_may_be_quoted(consultation):
    quote = validated_quote(plain(consultation), key_message(consultation, REF))

    assert quote is not None and quote.start == 0


async def test_a_repeated_passage_is_taken_where_the_reader_selected_it(consultation):
    message = key_message(consultation, REF)
    second = at(consultation, "migratiestromen", 1)

    assert validated_quote("migratiestromen", message, second).start == second  # type: ignore[union-attr]
    assert validated_quote("migratiestromen", message).start == at(consultation, "migratiestromen")  # type: ignore[union-attr]


async def test_a_start_that_does_not_hold_the_passage_falls_back_to_its_first_occurrence(consultation):
    message = key_message(consultation, REF)

    for wrong in (0, 10_000, at(consultation, "migratiestromen", 1) + 1):
        assert validated_quote("migratiestromen", message, wrong).start == at(consultation, "migratiestromen")  # type: ignore[union-attr]


# -- merging ranges -----------------------------------------------------------------------


def test_overlapping_ranges_merge_into_one_passage_counting_all_their_contributions():
    ranges = [QuotedPassage(10, 20, 1, 7), QuotedPassage(0, 12, 2, 3), QuotedPassage(18, 30, 1, 9)]

    assert merged(ranges) == [QuotedPassage(0, 30, 4)]


def test_touching_ranges_stay_apart_and_a_lone_quote_keeps_its_contribution():
    ranges = [QuotedPassage(5, 10, 1, 4), QuotedPassage(0, 5, 3, 2), QuotedPassage(12, 14, 1, 8)]

    assert merged(ranges) == [QuotedPassage(0, 5, 3), QuotedPassage(5, 10, 1, 4), QuotedPassage(12, 14, 1, 8)]


def test_a_range_inside_another_is_part_of_it():
    assert merged([QuotedPassage(0, 50, 1, 1), QuotedPassage(10, 20, 1, 2)]) == [QuotedPassage(0, 50, 2)]


# -- the database -------------------------------------------------------------------------


async def test_quoted_passages_are_counted_per_range_in_one_query(db, consultation):
    author = await make_user(db)
    first = at(consultation, "uitgebreid. Het")
    lone = await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast moeten")
    for _ in range(3):
        await make_position(db, consultation, author=author, ref=REF, quote_text="uitgebreid. Het")
    parent = await make_position(db, consultation, author=author, ref=REF, quote_text="Het toenemende belang")
    await make_reply(db, author=author, parent=parent, quote_text="uitgebreid")
    await make_position(db, consultation, author=author, ref=REF)  # quotes nothing
    await make_position(db, consultation, author=author, ref="RT1-KM1", quote_text="Migratie en mobiliteit")
    await db.flush()

    passages = await quoted_passages(db, key_message(consultation, REF).id, PUBLIC)

    overlapping_end = at(consultation, "Het toenemende belang") + len("Het toenemende belang")
    daarnaast = at(consultation, "Daarnaast moeten")
    assert passages == [
        QuotedPassage(first, overlapping_end, 5),
        QuotedPassage(daarnaast, daarnaast + len("Daarnaast moeten"), 1, lone.id),
    ]


async def test_removed_and_unpublished_quotes_are_highlighted_only_for_those_who_may_see_them(db, consultation):
    author = await make_user(db)
    hidden = await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast moeten")
    hidden.status = ContributionStatus.HIDDEN
    withdrawn = await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast moeten")
    withdrawn.status = ContributionStatus.WITHDRAWN
    unpublished = await make_position(
        db,
        consultation,
        author=author,
        ref=REF,
        quote_text="Het toenemende belang",
        publication=PublicationConsent.NOT_FOR_PUBLICATION.value,
    )
    await db.flush()
    message_id = key_message(consultation, REF).id

    assert await quoted_passages(db, message_id, PUBLIC) == []
    [seen] = await quoted_passages(db, message_id, NEGOTIATORS)
    assert (seen.start, seen.count, seen.contribution_id) == (at(consultation, "Het toenemende"), 1, unpublished.id)


async def test_the_contributions_quoting_any_part_of_a_passage_come_a_page_at_a_time(db, consultation):
    author = await make_user(db)
    start = at(consultation, "uitgebreid. Het")
    passage = (start, start + len("uitgebreid. Het"))
    quoting = [
        await make_position(db, consultation, author=author, ref=REF, quote_text=text)
        for text in ("De ontwikkelings- en migratieagenda moet worden uitgebreid", "Het toenemende", "uitgebreid. Het")
    ]
    await make_position(db, consultation, author=author, ref=REF, quote_text="De ontwikkelings-")  # before it
    await make_position(db, consultation, author=author, ref=REF, quote_text="toenemende belang")  # just after it
    unpublished = await make_position(
        db, consultation, author=author, ref=REF, quote_text="uitgebreid", publication="not_for_publication"
    )
    await db.flush()
    message_id = key_message(consultation, REF).id

    first = await quoting_contributions(db, message_id, passage, audience=PUBLIC, cursor=None, page_size=2)
    second = await quoting_contributions(
        db, message_id, passage, audience=PUBLIC, cursor=first.next_cursor, page_size=2
    )

    assert [node.contribution.id for node in first.nodes + second.nodes] == [c.id for c in quoting]
    assert second.next_cursor is None
    assert await count_quoting(db, message_id, passage, PUBLIC) == 3
    assert await count_quoting(db, message_id, passage, NEGOTIATORS) == 4
    page = await quoting_contributions(db, message_id, passage, audience=NEGOTIATORS, cursor=None, page_size=10)
    assert unpublished.id in [node.contribution.id for node in page.nodes]
