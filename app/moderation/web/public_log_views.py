"""The public moderation log of a consultation and its transparency report: for everyone,
signed in or not, the same page (it shows nothing of the reader's), shared by caches like
the other reading pages (app.web.cache_policy) and answered with 304 when it has not changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date, format_timedelta
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import Consultation
from app.db import utcnow
from app.discussion.web.loaders import consultation_from_path
from app.i18n import current_locale
from app.moderation.labels import public_decision_labels
from app.moderation.models import ModerationAction
from app.moderation.public_log import PublicLogPage, public_log_page
from app.moderation.transparency import MonthFigures, month_starts, transparency_report
from app.templating import render
from app.web.conditional import anonymous_validators
from app.web.numbers import parse_id
from app.web.requests import db_of

#: The order of the report's columns of decisions.
DECISION_COLUMNS = (
    ModerationAction.HIDE,
    ModerationAction.RESTORE,
    ModerationAction.KEEP,
    ModerationAction.RETAG,
    ModerationAction.APPROVE,
    ModerationAction.REJECT,
)


@dataclass(frozen=True)
class LogContext:
    consultation: Consultation
    page: PublicLogPage
    labels: dict[ModerationAction, str]
    #: Where the list starts: None on the newest page.
    before: int | None


@dataclass(frozen=True)
class MonthRow:
    month: str  #: its name, as the reader's language writes it
    month_iso: str  #: yyyy-mm
    reports: int
    decisions: list[int]  #: in DECISION_COLUMNS' order
    median: str | None
    appeals: int
    reversals: int


@dataclass(frozen=True)
class FiguresContext:
    consultation: Consultation
    rows: list[MonthRow]
    columns: list[str]
    #: The `until` of the twelve months before, and of the twelve after (None: up to now).
    earlier: str
    later: str | None


async def moderation_log(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    before = parse_id(request.query_params.get("before"))
    page = await public_log_page(db_of(request), consultation, before=before)
    validators = await anonymous_validators(
        request,
        (consultation.id, consultation.updated_at, consultation.moderation_rules),
        page,
        changed_at=[consultation.updated_at, *(decision.created_at for decision in page.decisions)],
    )
    if validators is not None and validators.match(request):
        return validators.not_modified()
    context = LogContext(consultation, page, public_decision_labels(), before)
    response = render(request, "moderation/public_log.html", context)
    return validators.stamp(response) if validators is not None else response


async def moderation_figures(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    this_month = utcnow().date().replace(day=1)
    until = min(_month(request.query_params.get("until")) or this_month, this_month)
    figures = await transparency_report(db_of(request), consultation.id, until)
    # The figures change with every report, whose times no column keeps per consultation:
    # the tag is taken from the figures themselves, and no Last-Modified is given.
    validators = await anonymous_validators(
        request, consultation.id, consultation.updated_at, figures, changed_at=[utcnow()]
    )
    if validators is not None and validators.match(request):
        return validators.not_modified()
    labels = public_decision_labels()
    starts = month_starts(until)
    context = FiguresContext(
        consultation,
        [_row(month) for month in figures],
        [labels[action] for action in DECISION_COLUMNS],
        earlier=_iso_month(starts[0] - timedelta(days=1)),
        later=None if until == this_month else _iso_month(min(_add_months(until, 12), this_month)),
    )
    response = render(request, "moderation/transparency.html", context)
    return validators.stamp(response) if validators is not None else response


def _row(month: MonthFigures) -> MonthRow:
    locale = current_locale.get()
    return MonthRow(
        month=format_date(month.month, "LLLL yyyy", locale=locale),
        month_iso=_iso_month(month.month),
        reports=month.reports,
        decisions=[month.decisions.get(action, 0) for action in DECISION_COLUMNS],
        median=None
        if month.median_seconds is None
        else format_timedelta(timedelta(seconds=month.median_seconds), threshold=1.5, locale=locale),
        appeals=month.appeals,
        reversals=month.reversals,
    )


def _month(value: str | None) -> date | None:
    """A month written yyyy-mm (from 2000 on), or None."""
    if not value or len(value) != 7 or not value.isascii():
        return None
    try:
        month = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC).date()
    except ValueError:
        return None
    return month if month.year >= 2000 else None


def _iso_month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
