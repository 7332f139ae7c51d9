"""A consultation's transparency report: month by month (UTC), the reports received, the
decisions by kind, the median time from a contribution's first report to its first
decision, the appeals filed and the reversals (appeals answered by the opposite decision).

Every figure is one aggregate query over the consultation's rows of a window of at most
WINDOW_MONTHS months, grouped in the database by a CASE on the month boundaries (portable:
no date functions), so what crosses to Python is a few rows per month. The median too is
taken in the database, with window functions both databases have (row_number and count over
each month, ordered by the seconds between report and decision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Float, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.moderation.models import Appeal, ModerationAction, ModerationLogEntry, QueueItem, QueueKind, Report

#: The most months one report covers.
WINDOW_MONTHS = 12
#: Decisions that undo each other: an appeal answered by the other one reversed the decision.
OPPOSITES = {
    ModerationAction.HIDE: ModerationAction.RESTORE,
    ModerationAction.RESTORE: ModerationAction.HIDE,
    # A held contribution's rejection, appealed and answered by publishing it.
    ModerationAction.REJECT: ModerationAction.APPROVE,
}


@dataclass
class MonthFigures:
    month: date  #: its first day
    reports: int = 0
    decisions: dict[ModerationAction, int] = field(default_factory=dict)
    #: Median seconds from a contribution's first report to its first decision, over the
    #: contributions first decided in the month; None if none was.
    median_seconds: float | None = None
    appeals: int = 0
    reversals: int = 0

    @property
    def empty(self) -> bool:
        return not (self.reports or self.decisions or self.appeals or self.reversals)


class seconds_between(FunctionElement[float]):
    """Seconds from the first instant to the second (SQLite: julianday; PostgreSQL: epoch)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def month_starts(until: date, count: int = WINDOW_MONTHS) -> list[date]:
    """The first days of the `count` months that end with `until`'s, oldest first."""
    index = until.year * 12 + until.month - 1
    return [date((i // 12), i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class _Window:
    """The months of a report, and the SQL that places an instant in one of them."""

    def __init__(self, months: list[date]) -> None:
        self.months = months
        self.start = _instant(months[0])
        self.end = _instant(next_month(months[-1]))

    def covers(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def month_of(self, column: Any) -> ColumnElement[int]:
        """The index in `months` of the month holding the instant (for instants it covers)."""
        whens = [(column >= _instant(month), index) for index, month in reversed(list(enumerate(self.months)))]
        return case(*whens, else_=0).label("month")


async def transparency_report(db: AsyncSession, consultation_id: int, until: date) -> list[MonthFigures]:
    """The consultation's figures for the WINDOW_MONTHS months that end with `until`'s,
    newest first; months without any activity are there, with zeros."""
    window = _Window(month_starts(until))
    figures = [MonthFigures(month) for month in window.months]
    for index, count in await _reports(db, consultation_id, window):
        figures[index].reports = count
    for index, action, count in await _decisions(db, consultation_id, window):
        figures[index].decisions[action] = count
    for index, seconds in await _medians(db, consultation_id, window):
        figures[index].median_seconds = float(seconds)
    for index, count in await _appeals(db, consultation_id, window):
        figures[index].appeals = count
    for index, count in await _reversals(db, consultation_id, window):
        figures[index].reversals = count
    return list(reversed(figures))


async def _counted(db: AsyncSession, inner: Any, *extra: Any) -> list[Any]:
    """`inner` (a select of a `month` column and `extra` columns) counted per month and extra."""
    rows = inner.subquery()
    keys = [rows.c.month, *(rows.c[name] for name in extra)]
    return list((await db.execute(select(*keys, func.count()).group_by(*keys))).all())


async def _reports(db: AsyncSession, consultation_id: int, window: _Window) -> list[Any]:
    inner = (
        select(window.month_of(Report.created_at))
        .join(QueueItem, QueueItem.id == Report.queue_item_id)
        .where(QueueItem.consultation_id == consultation_id, window.covers(Report.created_at))
    )
    return await _counted(db, inner)


async def _decisions(db: AsyncSession, consultation_id: int, window: _Window) -> list[Any]:
    inner = select(window.month_of(ModerationLogEntry.created_at), ModerationLogEntry.action).where(
        ModerationLogEntry.consultation_id == consultation_id, window.covers(ModerationLogEntry.created_at)
    )
    return await _counted(db, inner, "action")


async def _appeals(db: AsyncSession, consultation_id: int, window: _Window) -> list[Any]:
    inner = (
        select(window.month_of(Appeal.created_at))
        .join(ModerationLogEntry, ModerationLogEntry.id == Appeal.decision_id)
        .where(ModerationLogEntry.consultation_id == consultation_id, window.covers(Appeal.created_at))
    )
    return await _counted(db, inner)


async def _reversals(db: AsyncSession, consultation_id: int, window: _Window) -> list[Any]:
    """Appeals whose item was closed by the opposite of the decision appealed, in the month
    of that second decision."""
    appealed, answer = aliased(ModerationLogEntry), aliased(ModerationLogEntry)
    opposite = or_(*(and_(appealed.action == one, answer.action == other) for one, other in OPPOSITES.items()))
    inner = (
        select(window.month_of(answer.created_at))
        .select_from(Appeal)
        .join(appealed, appealed.id == Appeal.decision_id)
        .join(QueueItem, QueueItem.id == Appeal.queue_item_id)
        .join(answer, answer.id == QueueItem.decision_id)
        .where(answer.consultation_id == consultation_id, window.covers(answer.created_at), opposite)
    )
    return await _counted(db, inner)


async def _medians(db: AsyncSession, consultation_id: int, window: _Window) -> list[Any]:
    """Per month, the median of the seconds from first report to first decision: the first
    reported item of each contribution opened with its first report and was closed by the
    first decision after it. The middle one or two rows of each month, averaged."""
    earlier = aliased(QueueItem)
    first_items = (
        select(
            window.month_of(QueueItem.decided_at),
            seconds_between(QueueItem.opened_at, QueueItem.decided_at).label("seconds"),
        )
        .where(
            QueueItem.consultation_id == consultation_id,
            QueueItem.kind == QueueKind.REPORTED,
            window.covers(QueueItem.decided_at),
            ~exists().where(
                earlier.contribution_id == QueueItem.contribution_id,
                earlier.kind == QueueKind.REPORTED,
                earlier.id < QueueItem.id,
            ),
        )
        .subquery()
    )
    ranked = select(
        first_items.c.month,
        first_items.c.seconds,
        func.row_number().over(partition_by=first_items.c.month, order_by=first_items.c.seconds).label("rank"),
        func.count().over(partition_by=first_items.c.month).label("n"),
    ).subquery()
    middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
    statement = select(ranked.c.month, func.avg(ranked.c.seconds)).where(middle).group_by(ranked.c.month)
    return list((await db.execute(statement)).all())
