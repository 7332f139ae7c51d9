"""Who belongs to an organisation: requests to join, admins, removing and leaving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.audit import services as audit
from app.db import utcnow
from app.i18n import _
from app.organisations.models import JoinRequest, JoinRequestStatus, Membership, Organisation
from app.organisations.services import OrganisationError

MESSAGE_MAX_CHARS = 1000


@dataclass(frozen=True)
class PendingRequest:
    id: int
    display_name: str
    email: str
    message: str
    created_at: datetime


async def membership_of(db: AsyncSession, organisation: Organisation, user_id: int) -> Membership | None:
    return await db.scalar(
        select(Membership).where(Membership.organisation_id == organisation.id, Membership.user_id == user_id)
    )


async def request_to_join(db: AsyncSession, organisation: Organisation, user: User, message: str) -> JoinRequest:
    """One pending request per person and organisation: asking again updates its message."""
    message = message.replace("\r\n", "\n").strip()
    if len(message) > MESSAGE_MAX_CHARS:
        raise OrganisationError(
            "message", _("Your message must be %(limit)s characters or fewer.", limit=MESSAGE_MAX_CHARS)
        )
    if await membership_of(db, organisation, user.id) is not None:
        raise OrganisationError("message", _("You are already a member of this organisation."))
    request = await db.scalar(
        select(JoinRequest).where(
            JoinRequest.organisation_id == organisation.id,
            JoinRequest.user_id == user.id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    )
    if request is None:
        request = JoinRequest(organisation_id=organisation.id, user_id=user.id, status=JoinRequestStatus.PENDING)
        db.add(request)
    request.message = message
    audit.record(db, audit.MEMBERSHIP_REQUEST, actor=user, subject_user=user, organisation=organisation)
    await db.flush()
    return request


async def has_pending_request(db: AsyncSession, organisation: Organisation, user_id: int) -> bool:
    found = await db.scalar(
        select(JoinRequest.id).where(
            JoinRequest.organisation_id == organisation.id,
            JoinRequest.user_id == user_id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    )
    return found is not None


async def pending_requests(db: AsyncSession, organisation: Organisation) -> list[PendingRequest]:
    rows = await db.execute(
        select(JoinRequest.id, User.display_name, User.email, JoinRequest.message, JoinRequest.created_at)
        .join(User, User.id == JoinRequest.user_id)
        .where(JoinRequest.organisation_id == organisation.id, JoinRequest.status == JoinRequestStatus.PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )
    return [PendingRequest(*row) for row in rows]


async def decide_request(
    db: AsyncSession, organisation: Organisation, request_id: int, *, admin: User, approve: bool
) -> JoinRequest:
    """An admin approves (the person becomes a member) or declines a pending request."""
    request = await db.scalar(
        select(JoinRequest).where(
            JoinRequest.id == request_id,
            JoinRequest.organisation_id == organisation.id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    )
    if request is None:
        raise OrganisationError("request_id", _("This request has already been answered."))
    tag = audit.MEMBERSHIP_APPROVE if approve else audit.MEMBERSHIP_DECLINE
    await settle_request(db, request, organisation, decider=admin, approve=approve, tag=tag)
    return request


async def settle_request(
    db: AsyncSession,
    request: JoinRequest,
    organisation: Organisation,
    *,
    decider: User,
    approve: bool,
    tag: str,
    as_admin: bool = False,
    note: str | None = None,
) -> None:
    """Record the answer to a pending request, add the member on approval, and audit it
    (with the decider's note, when the answer needs one)."""
    request.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
    request.decided_by_id = decider.id
    request.decided_at = utcnow()
    request.decision_note = note
    if approve:
        await add_member(db, organisation, request.user_id, admin=as_admin)
    audit.record(
        db,
        tag,
        actor=decider,
        subject_user=await db.get(User, request.user_id),
        organisation=organisation,
        details=None if note is None else {"note": note},
    )
    await db.flush()


async def add_member(db: AsyncSession, organisation: Organisation, user_id: int, *, admin: bool = False) -> Membership:
    """Joining twice changes nothing (but an invitation as admin makes an existing member admin)."""
    membership = await membership_of(db, organisation, user_id)
    if membership is None:
        membership = Membership(organisation_id=organisation.id, user_id=user_id, is_admin=admin)
        db.add(membership)
    elif admin:
        membership.is_admin = True
    await db.flush()
    return membership


async def make_admin(
    db: AsyncSession, organisation: Organisation, user_id: int, *, admin: User | None = None
) -> Membership:
    membership = await membership_of(db, organisation, user_id)
    if membership is None:
        raise OrganisationError("user_id", _("This person is not a member of the organisation."))
    membership.is_admin = True
    audit.record(
        db,
        audit.MEMBERSHIP_MAKE_ADMIN,
        actor=admin,
        subject_user=await db.get(User, user_id),
        organisation=organisation,
    )
    await db.flush()
    return membership


async def remove_member(db: AsyncSession, organisation: Organisation, user_id: int, *, admin: User) -> None:
    """Admins remove other members; to go themselves they leave (and the last-admin rule applies)."""
    if user_id == admin.id:
        raise OrganisationError("user_id", _("To stop being a member yourself, leave the organisation."))
    membership = await membership_of(db, organisation, user_id)
    if membership is None:
        raise OrganisationError("user_id", _("This person is not a member of the organisation."))
    await db.delete(membership)
    audit.record(
        db, audit.MEMBERSHIP_REMOVE, actor=admin, subject_user=await db.get(User, user_id), organisation=organisation
    )
    await db.flush()


async def leave(db: AsyncSession, organisation: Organisation, user: User) -> None:
    """Any member may leave, except the last admin while others remain: an organisation must
    keep someone who can manage it, so they make another member admin first."""
    membership = await membership_of(db, organisation, user.id)
    if membership is None:
        raise OrganisationError("leave", _("You are not a member of this organisation."))
    if membership.is_admin:
        counts = await db.execute(
            select(func.count(), func.count().filter(Membership.is_admin)).where(
                Membership.organisation_id == organisation.id
            )
        )
        total, admins = counts.one()
        if admins == 1 and total > 1:
            raise OrganisationError("leave", _("You are the only admin. Make another member admin before you leave."))
    await db.delete(membership)
    audit.record(db, audit.MEMBERSHIP_LEAVE, actor=user, subject_user=user, organisation=organisation)
    await db.flush()
