"""How a person comes to speak for an organisation. Registering a new one makes them its
first admin; choosing an existing one, or registering a name and country that exist, only
sends a request to join, answered by its admins, or by a moderator when it has none (a
claim). Nobody joins silently, and nobody becomes admin by being first to an old one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.accounts.models import User
from app.accounts.services import register
from app.audit import services as audit
from app.i18n import _
from app.organisations.directory import NewOrganisation, create_organisation, find_organisation, listed_organisation
from app.organisations.membership import add_member, membership_of, request_to_join, settle_request
from app.organisations.models import JoinRequest, JoinRequestStatus, Membership, Organisation
from app.organisations.services import OrganisationError


@dataclass(frozen=True)
class Joined:
    organisation: Organisation
    #: False: a request to join waits for an answer, and the person speaks for themselves.
    member: bool


async def join_chosen(
    db: AsyncSession, user: User, *, organisation_id: int | None, new_organisation: NewOrganisation | None
) -> Joined | None:
    """The organisation the person chose or registered (None: they speak for themselves).
    Only a newly registered one takes them in at once, as its admin; for an existing one
    they get a pending request (none if they already belong to it)."""
    if organisation_id is not None:
        organisation = await listed_organisation(db, organisation_id)
    elif new_organisation is not None:
        found = await find_organisation(db, new_organisation)
        if found is None:
            return Joined(await _register_new(db, user, new_organisation), member=True)
        organisation = found
    else:
        return None
    if await membership_of(db, organisation, user.id) is not None:
        return Joined(organisation, member=True)
    await request_to_join(db, organisation, user, "")
    return Joined(organisation, member=False)


async def _register_new(db: AsyncSession, user: User, new: NewOrganisation) -> Organisation:
    organisation = await create_organisation(db, new)
    await add_member(db, organisation, user.id, admin=True)
    audit.record(
        db, audit.MEMBERSHIP_JOIN, actor=user, subject_user=user, organisation=organisation, details={"admin": True}
    )
    return organisation


async def sign_up(
    db: AsyncSession,
    *,
    display_name: str,
    email: str,
    password: str,
    organisation_id: int | None,
    new_organisation: NewOrganisation | None,
) -> User | None:
    """A new account with its organisation chosen, or None when the address already has an
    account (then nothing is written). A choice not on the list is refused before the
    address is looked at, so the refusal says nothing about accounts."""
    if organisation_id is not None:
        await listed_organisation(db, organisation_id)
    user = await register(db, display_name=display_name, email=email, password=password)
    if user is None:
        return None
    joined = await join_chosen(db, user, organisation_id=organisation_id, new_organisation=new_organisation)
    organisation = joined.organisation if joined else None
    audit.record(db, audit.SIGN_UP, actor=user, subject_user=user, organisation=organisation)
    return user


async def has_admin(db: AsyncSession, organisation_id: int) -> bool:
    """An organisation without admins (its members left or were erased) is answered for by
    the moderators."""
    return bool(await db.scalar(select(_admin_of(organisation_id))))


def without_admin(organisation_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL condition: the organisation has no admin (its claims go to the moderators)."""
    return ~_admin_of(organisation_id)


def _admin_of(organisation_id: int | ColumnElement[int] | InstrumentedAttribute[int]) -> Exists:
    return exists().where(Membership.organisation_id == organisation_id, Membership.is_admin)


@dataclass(frozen=True)
class Claim:
    """A pending request to join an organisation that has no admin, as moderators see it."""

    request_id: int
    organisation_id: int
    organisation_name: str
    display_name: str
    email: str
    message: str
    created_at: datetime


async def pending_claims(db: AsyncSession) -> list[Claim]:
    """Oldest first: the moderators' queue."""
    rows = await db.execute(
        select(
            JoinRequest.id,
            Organisation.id,
            Organisation.name,
            User.display_name,
            User.email,
            JoinRequest.message,
            JoinRequest.created_at,
        )
        .join(User, User.id == JoinRequest.user_id)
        .join(Organisation, Organisation.id == JoinRequest.organisation_id)
        .where(JoinRequest.status == JoinRequestStatus.PENDING, ~_admin_of(JoinRequest.organisation_id))
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )
    return [Claim(*row) for row in rows]


async def decide_claim(db: AsyncSession, request_id: int, *, moderator: User, approve: bool, note: str) -> JoinRequest:
    """A moderator answers a claim, saying why; the approved person becomes the admin. The
    organisation keeps its name, contributions and verification. Once it has an admin, its
    requests are the admin's to answer, not the moderators'."""
    request = await db.scalar(
        select(JoinRequest).where(JoinRequest.id == request_id, JoinRequest.status == JoinRequestStatus.PENDING)
    )
    if request is None or await has_admin(db, request.organisation_id):
        raise OrganisationError(
            "request_id", _("This request has been answered, or the organisation's admins answer it.")
        )
    organisation = await db.get_one(Organisation, request.organisation_id)
    tag = audit.MEMBERSHIP_CLAIM_APPROVE if approve else audit.MEMBERSHIP_CLAIM_DECLINE
    await settle_request(
        db, request, organisation, decider=moderator, approve=approve, tag=tag, as_admin=True, note=note
    )
    return request
