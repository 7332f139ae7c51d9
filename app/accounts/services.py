"""Creating people and organisations, and signing in with a per-account throttle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pycountry
from sqlalchemy import delete, func, select
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


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.PARTICIPANT,
    organisation: Organisation | None = None,
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
        memberships=[] if organisation is None else [Membership(organisation=organisation)],
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
    already exists under that name and country) and becomes its first member."""
    if organisation_id is not None:
        organisation = await db.get(Organisation, organisation_id)
        if organisation is None:
            raise AccountError("organisation_id", _("Choose your organisation from the list."))
    elif new_organisation is not None:
        organisation = await find_or_create_organisation(db, new_organisation)
    else:
        raise AccountError("org_name", _("Choose your organisation from the list, or enter its name to register it."))
    return await create_user(db, email=email, password=password, display_name=display_name, organisation=organisation)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False


async def authenticate(
    db: AsyncSession, email: str, password: str, *, max_failures: int, window_seconds: int
) -> SignInResult:
    """Check a password, refusing (without checking) once an account has had
    `max_failures` failed attempts within the window, whoever made them."""
    account_key = normalise_email(email)
    since = utcnow() - timedelta(seconds=window_seconds)
    failures = await db.scalar(
        select(func.count()).where(SignInFailure.account_key == account_key, SignInFailure.attempted_at >= since)
    )
    if (failures or 0) >= max_failures:
        return SignInResult(user=None, throttled=True)
    user = await db.scalar(select(User).where(User.email == account_key))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        db.add(SignInFailure(account_key=account_key))
        await db.flush()
        return SignInResult(user=None)
    await db.execute(delete(SignInFailure).where(SignInFailure.account_key == account_key))
    return SignInResult(user=user)


async def deactivate_user(db: AsyncSession, user: User) -> None:
    """Disable an account and end its sessions at once."""
    user.is_active = False
    await end_all_sessions(db, user.id)
    await db.flush()
