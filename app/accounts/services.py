"""Creating people and organisations, and signing in with a throttle per account and per address."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pycountry
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    SignInFailure,
    User,
    UserRole,
)
from app.accounts.sessions import end_all_sessions
from app.audit import services as audit
from app.db import utcnow
from app.i18n import _
from app.security.passwords import hash_password, verify_password


class AccountError(Exception):
    """A rule about accounts was broken; the message is for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_country_code(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def organisation_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    type: OrganisationType
    country: str


async def find_or_create_organisation(db: AsyncSession, new: NewOrganisation) -> Organisation:
    """Organisations are unique by name and country; registering an existing one joins it."""
    name = " ".join(new.name.split())
    key = organisation_name_key(name)
    existing = await db.scalar(
        select(Organisation).where(Organisation.name_key == key, Organisation.country == new.country)
    )
    if existing is not None:
        return existing
    organisation = Organisation(name=name, name_key=key, type=new.type, country=new.country)
    db.add(organisation)
    await db.flush()
    return organisation


async def chosen_organisation(
    db: AsyncSession, organisation_id: int | None, new_organisation: NewOrganisation | None
) -> Organisation:
    """The listed organisation a person chose, or the one they registered (found again if it
    already exists under that name and country)."""
    if organisation_id is not None:
        organisation = await db.get(Organisation, organisation_id)
        if organisation is None:
            raise AccountError("organisation_id", _("Choose your organisation from the list."))
        return organisation
    if new_organisation is not None:
        return await find_or_create_organisation(db, new_organisation)
    raise AccountError("org_name", _("Choose your organisation from the list, or enter its name to register it."))


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.PARTICIPANT,
    organisation: Organisation | None = None,
    organisation_admin: bool = False,
) -> User:
    """Create an account; the email must be unused (compared case-insensitively)."""
    email = normalise_email(email)
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", _("An account with this email address already exists."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role_grants=[] if role is Role.PARTICIPANT else [UserRole(role=role)],
        memberships=[]
        if organisation is None
        else [Membership(organisation=organisation, is_admin=organisation_admin)],
    )
    db.add(user)
    await db.flush()
    return user


async def register(
    db: AsyncSession,
    *,
    display_name: str,
    email: str,
    password: str,
    organisation_id: int | None,
    new_organisation: NewOrganisation | None,
) -> User:
    """Sign-up: a person joins a listed organisation, or registers theirs (found again if it
    already exists under that name and country) and becomes its first member, and admin."""
    organisation = await chosen_organisation(db, organisation_id, new_organisation)
    first = not await has_members(db, organisation)
    user = await create_user(
        db,
        email=email,
        password=password,
        display_name=display_name,
        organisation=organisation,
        organisation_admin=first,
    )
    audit.record(db, audit.SIGN_UP, actor=user, subject_user=user, organisation=organisation)
    audit.record(
        db, audit.MEMBERSHIP_JOIN, actor=user, subject_user=user, organisation=organisation, details={"admin": first}
    )
    return user


async def has_members(db: AsyncSession, organisation: Organisation) -> bool:
    """An organisation without members is new: whoever joins it first becomes its admin."""
    found = await db.scalar(select(Membership.id).where(Membership.organisation_id == organisation.id).limit(1))
    return found is not None


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False
    #: When throttled: seconds until another attempt will be checked.
    retry_after: int = 0


#: Failures before the growing delay starts: the 4th waits 2 s, the 5th 4 s, and so on.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 15 * 60


async def authenticate(
    db: AsyncSession,
    email: str,
    password: str,
    *,
    max_failures: int,
    window_seconds: int,
    address: str | None = None,
    max_address_failures: int = 20,
) -> SignInResult:
    """Check a password, refusing without checking while the account or the client address
    is throttled (see `throttle_wait`). Every failure is recorded, with the address, in the
    database, so every worker applies the same throttle."""
    account_key = normalise_email(email)
    wait = await throttle_wait(
        db,
        account_key,
        address,
        max_failures=max_failures,
        max_address_failures=max_address_failures,
        window_seconds=window_seconds,
    )
    if wait > 0:
        return SignInResult(user=None, throttled=True, retry_after=wait)
    user = await db.scalar(select(User).where(User.email == account_key))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        db.add(SignInFailure(account_key=account_key, address=address, attempted_at=utcnow()))
        await db.flush()
        return SignInResult(user=None)
    await db.execute(delete(SignInFailure).where(SignInFailure.account_key == account_key))
    return SignInResult(user=user)


async def throttle_wait(
    db: AsyncSession,
    account_key: str,
    address: str | None,
    *,
    max_failures: int,
    max_address_failures: int,
    window_seconds: int,
) -> int:
    """Seconds to wait before a sign-in for this account from this address is checked (0: go).

    Within the window, an account with `max_failures` failures, or an address with
    `max_address_failures`, is refused until the oldest of them leaves the window; and each
    failure beyond the third of either requires 2^(n-3) seconds (at most 15 minutes) since
    the last one. Computed from stored timestamps: no sleeping, no process memory."""
    since = utcnow() - timedelta(seconds=window_seconds)
    waits = [0.0]
    by_account = await _failure_times(db, SignInFailure.account_key == account_key, since)
    waits.append(_wait_for(by_account, max_failures, window_seconds))
    if address:
        by_address = await _failure_times(db, SignInFailure.address == address, since)
        waits.append(_wait_for(by_address, max_address_failures, window_seconds))
    return math.ceil(max(waits))


async def _failure_times(db: AsyncSession, condition: ColumnElement[bool], since: datetime) -> list[datetime]:
    rows = await db.scalars(
        select(SignInFailure.attempted_at)
        .where(condition, SignInFailure.attempted_at >= since)
        .order_by(SignInFailure.attempted_at)
    )
    return [value if value.tzinfo else value.replace(tzinfo=UTC) for value in rows]


def _wait_for(times: list[datetime], limit: int, window_seconds: int) -> float:
    """Seconds still to wait, given the failures in the window (oldest first)."""
    now = utcnow()
    waits = [0.0]
    if len(times) >= limit:
        leaves_window = times[len(times) - limit] + timedelta(seconds=window_seconds)
        waits.append((leaves_window - now).total_seconds())
    if len(times) > FREE_FAILURES:
        delay = min(2 ** (len(times) - FREE_FAILURES), MAX_DELAY_SECONDS)
        waits.append((times[-1] + timedelta(seconds=delay) - now).total_seconds())
    return max(waits)


async def deactivate_user(db: AsyncSession, user: User) -> None:
    """Disable an account and end its sessions at once."""
    user.is_active = False
    await end_all_sessions(db, user.id)
    await db.flush()


async def join_organisation(
    db: AsyncSession, user: User, *, organisation_id: int | None, new_organisation: NewOrganisation | None
) -> Organisation:
    """A signed-in person joins a listed organisation, or registers theirs (found again if it
    already exists under that name and country); joining one they belong to changes nothing."""
    organisation = await chosen_organisation(db, organisation_id, new_organisation)
    member = await db.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.organisation_id == organisation.id)
    )
    if member is None:
        first = not await has_members(db, organisation)
        db.add(Membership(user_id=user.id, organisation_id=organisation.id, is_admin=first))
        audit.record(
            db,
            audit.MEMBERSHIP_JOIN,
            actor=user,
            subject_user=user,
            organisation=organisation,
            details={"admin": first},
        )
        await db.flush()
    return organisation
