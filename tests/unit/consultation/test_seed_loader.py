"""The seed loader: counts, stable references, idempotence, one file = one consultation."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.consultation.models import ConsultationStatus, KeyMessage, KeyMessageKind, Paragraph, SectionKind
from app.consultation.phases import Phase, phase_of
from app.consultation.seed import SeedError, load_seed, read_seed_file
from app.consultation.services import all_key_messages, consultation_by_slug, roundtables, subsections
from app.fragments import CLEARED_KEY, RenderedFragment, fragments_cleared_at, store_fragments
from tests.conftest import SEED_FILE


async def test_seed_consultation_has_four_roundtables_and_17_key_messages(consultation):
    assert consultation.source_reference == "COM(2013) 292"
    assert consultation.language == "nl"
    # Ships open without a closing instant, so `make run` can be tried at once.
    assert consultation.status is ConsultationStatus.PUBLISHED
    assert (consultation.opens_at, consultation.closes_at) == (None, None)
    assert phase_of(consultation) is Phase.OPEN
    assert "21 juni tot en met 30 september 2013" in consultation.summary  # history, as text
    tables = roundtables(consultation)
    assert [t.ref for t in tables] == ["RT1", "RT2", "RT3", "RT4"]
    assert [len(t.key_messages) for t in tables] == [3, 5, 4, 5]
    assert [[s.number for s in subsections(consultation, t)] for t in tables] == [
        ["2.1", "2.2"],
        ["3.1", "3.2", "3.3"],
        ["4.1", "4.2", "4.3"],
        ["5.1"],
    ]


async def test_references_are_stable_and_cover_section_six(consultation):
    refs = [m.ref for m in all_key_messages(consultation)]
    expected_rt = [f"RT{t}-KM{k}" for t, n in [(1, 3), (2, 5), (3, 4), (4, 5)] for k in range(1, n + 1)]
    assert [r for r in refs if r.startswith("RT")] == expected_rt
    assert [r for r in refs if r.startswith("EU-A")] == [f"EU-A{i}" for i in range(1, 7)]
    assert [r for r in refs if r.startswith("EU-C")] == ["EU-C1", "EU-C2", "EU-C3"]
    kinds = {m.ref: m.kind for m in all_key_messages(consultation)}
    assert kinds["EU-A3"] is KeyMessageKind.EU_ACTION and kinds["EU-C2"] is KeyMessageKind.EU_COMMITMENT


async def test_every_section_kind_and_all_footnotes_are_loaded(consultation):
    kinds = [s.kind for s in consultation.sections if s.parent_id is None]
    assert kinds == [
        SectionKind.INTRODUCTION,
        *[SectionKind.ROUNDTABLE] * 4,
        SectionKind.NEXT_STEPS,
        SectionKind.CONCLUSION,
    ]
    assert [f.number for f in consultation.footnotes] == list(range(1, 15))


async def test_key_message_text_is_the_seed_text(consultation):
    data = read_seed_file(SEED_FILE)
    seeded = {m["ref"]: m["text"] for s in data["sections"] for m in s.get("key_messages", [])}
    assert {m.ref: m.text for m in all_key_messages(consultation)} == seeded


async def test_second_run_changes_nothing(db):
    report = await load_seed(db, read_seed_file(SEED_FILE))
    assert report.changes == []
    assert await db.scalar(select(func.count()).select_from(KeyMessage)) == 26


async def test_an_edited_text_is_updated_in_place_keeping_the_row(db, consultation):
    data = read_seed_file(SEED_FILE)
    data["sections"][1]["key_messages"][0]["text"] = "Nieuwe tekst."
    before = {m.ref: m.id for m in all_key_messages(consultation)}
    report = await load_seed(db, data)
    assert report.changes == ["RT1-KM1.text"]
    message = await db.scalar(select(KeyMessage).where(KeyMessage.ref == "RT1-KM1"))
    assert message.text == "Nieuwe tekst." and message.id == before["RT1-KM1"]


async def test_another_file_is_another_consultation(db):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = "second"
    paragraphs_before = await db.scalar(select(func.count()).select_from(Paragraph))
    report = await load_seed(db, data)
    assert "consultation created" in report.changes
    second = await consultation_by_slug(db, "second")
    assert second is not None and len(all_key_messages(second)) == 26
    assert await db.scalar(select(func.count()).select_from(Paragraph)) == 2 * paragraphs_before


def with_schedule(slug: str, **schedule: object) -> dict:
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = slug
    data["consultation"].update(schedule)
    return data


async def test_a_new_consultation_takes_the_files_instants_in_utc(db):
    data = with_schedule("scheduled", opens_at="2026-10-01T12:00:00+02:00", closes_at=datetime(2026, 12, 1, tzinfo=UTC))
    await load_seed(db, data)
    loaded = await consultation_by_slug(db, "scheduled")
    assert loaded is not None
    assert loaded.opens_at.replace(tzinfo=UTC) == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert loaded.closes_at.replace(tzinfo=UTC) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


async def test_a_later_run_keeps_the_operators_schedule_and_says_so(db, consultation):
    consultation.closes_at = datetime(2030, 1, 1, tzinfo=UTC)  # as `consultation schedule` would
    await db.flush()
    report = await load_seed(db, read_seed_file(SEED_FILE))
    assert report.changes == []
    assert len(report.notes) == 1 and "roundtable consultation schedule com-2013-292" in report.notes[0]
    assert consultation.closes_at == datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"opens_at": date(2013, 6, 21)}, "opens_at: 2013-06-21 is a date; give an instant"),
        ({"closes_at": "2026-10-01T12:00"}, "has no UTC offset"),
        ({"closes_at": "next week"}, "is not an ISO 8601 date and time"),
        (
            {"opens_at": "2026-10-01T12:00Z", "closes_at": "2026-10-01T12:00Z"},
            "closing instant .* must come after the opening instant",
        ),
        ({"status": "closed"}, "use 'published' or 'draft'; whether it is open follows from opens_at"),
    ],
)
async def test_a_schedule_that_cannot_be_meant_is_refused(db, schedule, message):
    with pytest.raises(SeedError, match=message):
        await load_seed(db, with_schedule("refused", **schedule))


async def test_a_changed_text_throws_away_the_pages_stored_with_the_old_one(db, consultation):
    await store_fragments(db, {"km:1:en:anyone": ("v1", "<p>The old wording.</p>")})
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    assert not (await load_seed(db, data)).changed
    assert await fragments_cleared_at(db) is None  # nothing changed: the stored pages stay
    data["sections"][0]["paragraphs"][0] = "A corrected paragraph."
    assert (await load_seed(db, data)).changed
    assert list(await db.scalars(select(RenderedFragment.key))) == [CLEARED_KEY]
    assert await fragments_cleared_at(db) is not None  # pages' validators change with it
