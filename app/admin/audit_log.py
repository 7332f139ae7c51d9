"""Reading the audit log, for admins: newest first, filtered by tag, person and dates, with
the people named by their addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.db import utcnow

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    tag: str | None = None
    email: str | None = None
    since: date | None = None
    until: date | None = None  #: inclusive
    before_id: int | None = None  #: keyset cursor: only events older than this one


@dataclass(frozen=True)
class AuditRow:
    id: int
    tag: str
    created_at: datetime
    actor_email: str | None
    subject_email: str | None
    address: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    next_before_id: int | None  #: cursor of the next (older) page, None on the last one


async def audit_page(db: AsyncSession, filters: AuditFilter, *, page_size: int = PAGE_SIZE) -> AuditPage:
    """Newest first, keyset-paged by id (ids grow with insertion, so paging stays stable
    while new events arrive, and costs the same on page 1 and page 1000)."""
    actor, subject = aliased(User), aliased(User)
    query = (
        select(AuditEvent, actor.email, subject.email)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(subject, subject.id == AuditEvent.subject_user_id)
        .order_by(AuditEvent.id.desc())
        .limit(page_size + 1)
    )
    result = (await db.execute(_filtered(query, filters))).all()
    rows = [_row(event, actor_email, subject_email) for event, actor_email, subject_email in result[:page_size]]
    next_before = rows[-1].id if len(result) > page_size else None
    return AuditPage(rows=rows, next_before_id=next_before)


def _row(event: AuditEvent, actor_email: str | None, subject_email: str | None) -> AuditRow:
    details = dict(event.details or {})
    return AuditRow(event.id, event.tag, event.created_at, actor_email, subject_email, event.address, details)


def _filtered(query: Select[AuditEvent, str, str], filters: AuditFilter) -> Select[AuditEvent, str, str]:
    if filters.tag:
        query = query.where(AuditEvent.tag == filters.tag)
    if filters.email:
        people = select(User.id).where(User.email == filters.email.strip().lower())
        query = query.where(or_(AuditEvent.actor_id.in_(people), AuditEvent.subject_user_id.in_(people)))
    if filters.since:
        query = query.where(AuditEvent.created_at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEvent.created_at < _start_of(filters.until + timedelta(days=1)))
    if filters.before_id:
        query = query.where(AuditEvent.id < filters.before_id)
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=utcnow().tzinfo)
