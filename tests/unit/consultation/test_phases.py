"""The phase of a consultation from its instants and the clock; instants as operators write
them; Brussels time as people read it; rescheduling recorded in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import CONSULTATION_SCHEDULE
from app.consultation.models import Consultation, ConsultationStatus
from app.consultation.phases import (
    Phase,
    Schedule,
    ScheduleError,
    accepts_contributions,
    parse_instant,
    phase_at,
    phase_of,
    phase_word,
)
from app.consultation.scheduling import reschedule
from app.i18n import current_locale, format_instant_brussels

OPENS = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - TICK, Phase.UPCOMING),
        (OPENS, Phase.OPEN),  # the opening instant is included
        (CLOSES - TICK, Phase.OPEN),
        (CLOSES, Phase.CLOSED),  # the closing instant is not
    ],
)
def test_open_from_the_opening_included_to_the_closing_excluded(now, expected):
    assert phase_at(OPENS, CLOSES, now) is expected


def test_a_missing_instant_leaves_that_side_open_and_naive_values_are_utc():
    assert phase_at(None, None, OPENS) is Phase.OPEN
    assert phase_at(None, CLOSES, datetime(2000, 1, 1, tzinfo=UTC)) is Phase.OPEN
    assert phase_at(OPENS, None, datetime(2999, 1, 1, tzinfo=UTC)) is Phase.OPEN
    assert phase_at(CLOSES.replace(tzinfo=None), None, CLOSES - TICK) is Phase.UPCOMING  # as SQLite reads it


def test_only_a_published_consultation_in_its_open_phase_accepts_contributions():
    draft = Consultation(status=ConsultationStatus.DRAFT)
    published = Consultation(status=ConsultationStatus.PUBLISHED, opens_at=OPENS, closes_at=CLOSES)
    assert not accepts_contributions(draft, OPENS) and phase_word(draft, OPENS) == "draft"
    assert accepts_contributions(published, OPENS) and phase_word(published, OPENS) == "open"
    assert not accepts_contributions(published, CLOSES) and phase_of(published, CLOSES) is Phase.CLOSED
    assert phase_word(published, OPENS - TICK) == "upcoming"


def test_the_model_keeps_instants_in_utc():
    brussels_noon = datetime.fromisoformat("2026-10-01T12:00+02:00")
    assert Consultation(opens_at=brussels_noon).opens_at == OPENS
    assert Consultation(opens_at=brussels_noon).opens_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01T12:00+02:00", OPENS),
        ("2026-10-01T10:00:00Z", OPENS),
        ("2026-10-01 11:00+01:00", OPENS),
        ("none", None),
        (" None ", None),
    ],
)
def test_instants_are_iso_8601_with_an_offset_or_none(text, expected):
    assert parse_instant(text, "--opens") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10-01T12:00", r"--opens: '2026-10-01T12:00' has no UTC offset; add one, e\.g\. 2026-10-01T12:00\+02:00"),
        ("2026-10-01", "has no UTC offset"),
        ("tomorrow", r"--opens: 'tomorrow' is not an ISO 8601 date and time"),
        ("2026-13-01T12:00Z", "is not an ISO 8601 date and time"),
    ],
)
def test_an_instant_without_offset_or_not_iso_is_refused_clearly(text, message):
    with pytest.raises(ScheduleError, match=message):
        parse_instant(text, "--opens")


def test_the_closing_must_come_after_the_opening():
    with pytest.raises(ScheduleError, match="must come after the opening instant"):
        Schedule(OPENS, OPENS)
    with pytest.raises(ScheduleError, match="must come after"):
        Schedule(CLOSES, OPENS)
    assert Schedule(OPENS, None).as_details() == {"opens_at": "2026-10-01T10:00:00+00:00", "closes_at": None}


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (OPENS, "October 1, 2026, 12:00 CEST (UTC+02:00)"),
        (CLOSES, "December 1, 2026, 12:00 CET (UTC+01:00)"),
        (datetime(2026, 3, 29, 1, 0), "March 29, 2026, 03:00 CEST (UTC+02:00)"),  # naive = UTC; DST began
        (datetime(2013, 9, 30, 22, 0, tzinfo=UTC), "October 1, 2013, 00:00 CEST (UTC+02:00)"),
    ],
)
def test_instants_are_shown_in_brussels_time_with_zone_and_offset(moment, shown):
    assert format_instant_brussels(moment) == shown


def test_the_date_follows_the_locale():
    token = current_locale.set("nl")
    try:
        assert format_instant_brussels(OPENS).startswith("1 oktober 2026, 12:00 CEST")
    finally:
        current_locale.reset(token)


async def test_rescheduling_changes_what_is_given_and_is_audited(db, consultation):
    await reschedule(db, "com-2013-292", opens="2026-10-01T12:00+02:00", closes=None)
    assert (consultation.opens_at, consultation.closes_at) == (OPENS, None)
    await reschedule(db, "com-2013-292", opens=None, closes="2026-12-01T11:00Z")
    assert (consultation.opens_at, consultation.closes_at) == (OPENS, CLOSES)
    await reschedule(db, "com-2013-292", opens="none", closes=None)
    assert (consultation.opens_at, consultation.closes_at) == (None, CLOSES)
    events = (
        await db.scalars(select(AuditEvent).where(AuditEvent.tag == CONSULTATION_SCHEDULE).order_by(AuditEvent.id))
    ).all()
    assert [e.details for e in events][-1] == {
        "consultation": "com-2013-292",
        "opens_at": None,
        "closes_at": "2026-12-01T11:00:00+00:00",
        "previous": {"opens_at": "2026-10-01T10:00:00+00:00", "closes_at": "2026-12-01T11:00:00+00:00"},
    }
    assert len(events) == 3 and all(e.actor_id is None for e in events)


@pytest.mark.parametrize(
    ("slug", "opens", "closes", "message"),
    [
        ("nope", "none", None, r"no consultation with the slug 'nope' \(known: com-2013-292\)"),
        ("com-2013-292", None, None, "give --opens, --closes or both"),
        ("com-2013-292", "2026-12-02T00:00Z", None, "must come after the opening"),  # after the kept closing
    ],
)
async def test_rescheduling_refuses_what_cannot_be_meant(db, consultation, slug, opens, closes, message):
    consultation.closes_at = CLOSES
    with pytest.raises(ScheduleError, match=message):
        await reschedule(db, slug, opens=opens, closes=closes)
    assert consultation.closes_at == CLOSES
