"""The transparency report: per month (UTC), reports, decisions by kind, the median wait from
a contribution's first report to its first decision, appeals and reversals, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from app.moderation.appeals import file_appeal
from app.moderation.models import Appeal, ModerationAction, ModerationLogEntry, QueueItem, Report
from app.moderation.queue import decide
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.transparency import month_starts, next_month, transparency_report
from app.security.roles import Role
from tests.factories import make_position, make_user

BASE = "https://roundtable.example"
UNTIL = date(2026, 11, 1)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def reported_then_decided(db, consultation, reported: datetime, waited: timedelta, action=ModerationAction.HIDE):
    """A contribution reported at `reported` and decided `waited` later; returns the author,
    the contribution and the decision."""
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author)
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    moderator = await make_user(db, role=Role.MODERATOR)
    entry = await decide(
        db, moderator=moderator, item_id=report.queue_item_id, action=action, reason="Decided here.", base_url=BASE
    )
    await db.execute(update(Report).where(Report.id == report.id).values(created_at=reported))
    await db.execute(
        update(QueueItem)
        .where(QueueItem.id == report.queue_item_id)
        .values(opened_at=reported, decided_at=reported + waited)
    )
    await db.execute(
        update(ModerationLogEntry).where(ModerationLogEntry.id == entry.id).values(created_at=reported + waited)
    )
    return author, contribution, entry


def by_month(figures):
    return {month.month: month for month in figures}


def test_a_window_is_twelve_months_ending_with_the_given_one():
    assert month_starts(date(2026, 2, 1), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert len(month_starts(UNTIL)) == 12 and month_starts(UNTIL)[0] == date(2025, 12, 1)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


async def test_an_empty_consultation_has_twelve_empty_months_newest_first(db, consultation):
    figures = await transparency_report(db, consultation.id, UNTIL)
    assert [month.month for month in figures] == list(reversed(month_starts(UNTIL)))
    assert all(month.empty and month.median_seconds is None for month in figures)


async def test_reports_and_decisions_count_in_their_month(db, consultation):
    await reported_then_decided(db, consultation, at(9, 30, 23), timedelta(hours=2))  # decided 1 October
    await reported_then_decided(db, consultation, at(10, 5), timedelta(hours=1), ModerationAction.KEEP)
    await reported_then_decided(db, consultation, datetime(2025, 10, 31, 23, tzinfo=UTC), timedelta(hours=2))
    months = by_month(await transparency_report(db, consultation.id, date(2026, 10, 1)))
    september, october = months[date(2026, 9, 1)], months[date(2026, 10, 1)]
    assert (september.reports, september.decisions) == (1, {})
    assert october.reports == 1
    assert october.decisions == {ModerationAction.HIDE: 1, ModerationAction.KEEP: 1}
    # Decided on 1 November 2025, reported the day before the window starts.
    assert months[date(2025, 11, 1)].decisions == {ModerationAction.HIDE: 1}
    assert months[date(2025, 11, 1)].reports == 0 and date(2025, 10, 1) not in months
    assert all(months[month].empty for month in month_starts(date(2026, 8, 1), 9))


async def test_the_median_wait_is_the_middle_one_or_the_mean_of_the_middle_two(db, consultation):
    for hours in (1, 10, 2):
        await reported_then_decided(db, consultation, at(6, 3), timedelta(hours=hours))
    for hours in (1, 4):
        await reported_then_decided(db, consultation, at(7, 3), timedelta(hours=hours))
    months = by_month(await transparency_report(db, consultation.id, UNTIL))
    assert round(months[date(2026, 6, 1)].median_seconds) == 2 * 3600
    assert round(months[date(2026, 7, 1)].median_seconds) == 2.5 * 3600
    assert months[date(2026, 8, 1)].median_seconds is None


async def test_only_a_contributions_first_report_and_first_decision_count_for_the_median(db, consultation):
    _author, contribution, _entry = await reported_then_decided(
        db, consultation, at(5, 3), timedelta(hours=1), ModerationAction.KEEP
    )
    # Reported again later and decided after a long wait: not its first report.
    report = await report_contribution(
        db, reporter=await make_user(db), contribution=contribution, draft=ReportDraft("spam"), base_url=BASE
    )
    await db.execute(update(QueueItem).where(QueueItem.id == report.queue_item_id).values(opened_at=at(5, 10)))
    await decide(
        db,
        moderator=await make_user(db, role=Role.MODERATOR),
        item_id=report.queue_item_id,
        action=ModerationAction.KEEP,
        reason="Still fine.",
        base_url=BASE,
    )
    await db.execute(update(QueueItem).where(QueueItem.id == report.queue_item_id).values(decided_at=at(5, 20)))
    months = by_month(await transparency_report(db, consultation.id, UNTIL))
    assert round(months[date(2026, 5, 1)].median_seconds) == 3600


async def test_appeals_and_reversals(db, consultation):
    upheld_author, upheld, _ = await reported_then_decided(db, consultation, at(10, 2), timedelta(hours=1))
    reversed_author, reversed_one, _ = await reported_then_decided(db, consultation, at(10, 2), timedelta(hours=1))
    second = await make_user(db, role=Role.MODERATOR)
    for author, contribution, action in (
        (upheld_author, upheld, ModerationAction.KEEP),
        (reversed_author, reversed_one, ModerationAction.RESTORE),
    ):
        appeal = await file_appeal(db, author=author, contribution=contribution, text="Please look at it again.")
        await db.execute(update(Appeal).where(Appeal.id == appeal.id).values(created_at=at(10, 20)))
        answer = await decide(
            db, moderator=second, item_id=appeal.queue_item_id, action=action, reason="Looked again.", base_url=BASE
        )
        await db.execute(
            update(ModerationLogEntry).where(ModerationLogEntry.id == answer.id).values(created_at=at(11, 2))
        )
    months = by_month(await transparency_report(db, consultation.id, UNTIL))
    october, november = months[date(2026, 10, 1)], months[date(2026, 11, 1)]
    assert (october.appeals, october.reversals) == (2, 0)
    assert (november.appeals, november.reversals) == (0, 1)
    assert november.decisions == {ModerationAction.KEEP: 1, ModerationAction.RESTORE: 1}


async def test_another_consultations_moderation_does_not_count(db, consultation):
    await reported_then_decided(db, consultation, at(6, 3), timedelta(hours=1))
    figures = await transparency_report(db, consultation.id + 1000, UNTIL)
    assert all(month.empty for month in figures)
