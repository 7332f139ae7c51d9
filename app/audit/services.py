"""Writing the audit log (admins read it through app.admin.audit_log). Events are only ever added, in the caller's
transaction, so an action and its record are committed (or rolled back) together."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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
CONSULTATION_PREMODERATION = "consultation:consultation:premoderation"
EXPORT_DOWNLOAD = "export:file:download"
CONSULTATION_OUTCOME = "consultation:consultation:publish_outcome"

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
    CONSULTATION_PREMODERATION,
    CONSULTATION_OUTCOME,
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
    EXPORT_DOWNLOAD,
)


class Recorded(Protocol):
    """A person or organisation an event names: the log keeps only its id, so this lowest
    domain imports neither accounts nor organisations."""

    @property
    def id(self) -> int: ...


def record(
    db: AsyncSession,
    tag: str,
    *,
    actor: Recorded | None,
    subject_user: Recorded | None = None,
    organisation: Recorded | None = None,
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


async def events_about(db: AsyncSession, user_id: int, *, limit: int = 20) -> list[AuditEvent]:
    """The latest events a person did or underwent, for their page in the administration."""
    query = (
        select(AuditEvent)
        .where(or_(AuditEvent.actor_id == user_id, AuditEvent.subject_user_id == user_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(query)).all())
