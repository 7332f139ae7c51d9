"""Writing and reading the audit log. Events are only ever added, in the caller's
transaction, so an action and its record are committed (or rolled back) together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent
from app.db import utcnow

SIGN_IN = "accounts:user:sign_in"
SIGN_IN_FAILED = "accounts:user:sign_in_failed"
ROLE_GRANT = "accounts:role:grant"
ROLE_REVOKE = "accounts:role:revoke"
TWO_FACTOR_ENABLE = "accounts:two_factor:enable"
TWO_FACTOR_VERIFY = "accounts:two_factor:verify"
TWO_FACTOR_VERIFY_FAILED = "accounts:two_factor:verify_failed"
RECOVERY_CODE_USED = "accounts:two_factor:recovery_code_used"
ORGANISATION_VERIFY = "organisations:organisation:verify"
ORGANISATION_UNVERIFY = "organisations:organisation:unverify"
SIGN_UP = "accounts:user:sign_up"
SIGN_UP_EXISTING = "accounts:user:sign_up_existing"
EMAIL_VERIFIED = "accounts:user:verify_email"
MEMBERSHIP_JOIN = "organisations:membership:join"
MEMBERSHIP_REQUEST = "organisations:membership:request"
MEMBERSHIP_APPROVE = "organisations:membership:approve"
MEMBERSHIP_DECLINE = "organisations:membership:decline"
MEMBERSHIP_CLAIM_APPROVE = "organisations:membership:claim_approve"
MEMBERSHIP_CLAIM_DECLINE = "organisations:membership:claim_decline"
ORGANISATION_VERIFICATION_LAPSE = "organisations:organisation:verification_lapse"
MEMBERSHIP_MAKE_ADMIN = "organisations:membership:make_admin"
MEMBERSHIP_REMOVE = "organisations:membership:remove"
MEMBERSHIP_LEAVE = "organisations:membership:leave"
INVITATION_SEND = "organisations:invitation:send"
INVITATION_ACCEPT = "organisations:invitation:accept"
PRIVACY_EXPORT = "privacy:user:export"
PRIVACY_ERASE = "privacy:user:erase"
CONSULTATION_SCHEDULE = "consultation:consultation:schedule"

#: Every tag the application writes; record() refuses others so the filter list stays true.
TAGS = (
    SIGN_IN,
    SIGN_IN_FAILED,
    ROLE_GRANT,
    ROLE_REVOKE,
    TWO_FACTOR_ENABLE,
    TWO_FACTOR_VERIFY,
    TWO_FACTOR_VERIFY_FAILED,
    RECOVERY_CODE_USED,
    ORGANISATION_VERIFY,
    ORGANISATION_UNVERIFY,
    PRIVACY_EXPORT,
    PRIVACY_ERASE,
    CONSULTATION_SCHEDULE,
    SIGN_UP,
    SIGN_UP_EXISTING,
    EMAIL_VERIFIED,
    MEMBERSHIP_JOIN,
    MEMBERSHIP_REQUEST,
    MEMBERSHIP_APPROVE,
    MEMBERSHIP_DECLINE,
    MEMBERSHIP_CLAIM_APPROVE,
    MEMBERSHIP_CLAIM_DECLINE,
    ORGANISATION_VERIFICATION_LAPSE,
    MEMBERSHIP_MAKE_ADMIN,
    MEMBERSHIP_REMOVE,
    MEMBERSHIP_LEAVE,
    INVITATION_SEND,
    INVITATION_ACCEPT,
)
PAGE_SIZE = 50


def record(
    db: AsyncSession,
    tag: str,
    *,
    actor: User | None,
    subject_user: User | None = None,
    organisation: Organisation | None = None,
    address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction; it is kept only if the caller commits."""
    if tag not in TAGS:
        raise ValueError(f"unknown audit tag {tag!r}")
    event = AuditEvent(
        tag=tag,
        actor_id=actor.id if actor else None,
        subject_user_id=subject_user.id if subject_user else None,
        organisation_id=organisation.id if organisation else None,
        address=address,
        details=details or {},
        created_at=utcnow(),
    )
    db.add(event)
    return event


async def record_sign_in_attempt(
    db: AsyncSession, email: str, user: User | None, *, throttled: bool = False, address: str | None = None
) -> None:
    """Record a refused password sign-in (a successful one is recorded when the session
    starts). The account, if it exists, becomes the subject, so admins find the attempts
    under the person's email."""
    if user is not None:
        return
    account_key = email.strip().lower()
    subject = await db.scalar(select(User).where(User.email == account_key))
    record(
        db,
        SIGN_IN_FAILED,
        actor=None,
        subject_user=subject,
        address=address,
        details={"email": account_key[:254], "throttled": throttled},
    )


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


async def events_about(db: AsyncSession, user_id: int, *, limit: int = 20) -> list[AuditEvent]:
    """The latest events a person did or underwent, for their page in the administration."""
    query = (
        select(AuditEvent)
        .where(or_(AuditEvent.actor_id == user_id, AuditEvent.subject_user_id == user_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(query)).all())
