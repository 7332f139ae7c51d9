"""Creating people, and signing in with a throttle per account and network."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import throttle
from app.accounts.models import User, UserRole
from app.accounts.sessions import end_all_sessions
from app.i18n import _, current_locale
from app.security.passwords import hash_password, verify_password
from app.security.roles import Role

#: Loose on purpose: the address is proved by the link mailed to it, not by a pattern.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.PARTICIPANT,
) -> User:
    """Create an account; the email must be unused (compared case-insensitively). It speaks
    for no organisation yet (app.organisations.directory.place_member)."""
    email = normalise_email(email)
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", _("An account with this email address already exists."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=await hash_password(password),
        role_grants=[] if role is Role.PARTICIPANT else [UserRole(role=role)],
        memberships=[],
        # Their mail is written in the language they signed up in (app.i18n).
        locale=current_locale.get(),
    )
    db.add(user)
    await db.flush()
    return user


async def register(db: AsyncSession, *, display_name: str, email: str, password: str) -> User | None:
    """Sign-up: a new account, without an organisation yet (see app.organisations.joining),
    or None when the address already has one. The password is hashed either way, so the
    answer takes the same time and the caller can answer both alike."""
    email = normalise_email(email)
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        await hash_password(password)  # the same work as for a new account
        return None
    return await create_user(db, email=email, password=password, display_name=display_name)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False
    #: When throttled: seconds until another attempt will be checked.
    retry_after: int = 0


#: Failures from one network, for any accounts, before its delays start (password spraying).
MAX_NETWORK_FAILURES = 20


async def authenticate(
    db: AsyncSession,
    email: str,
    password: str,
    *,
    max_failures: int,
    window_seconds: int,
    address: str | None = None,
    max_network_failures: int = MAX_NETWORK_FAILURES,
) -> SignInResult:
    """Check a password, refusing without checking while this account is throttled from the
    client's network, or that network is (see `throttle.throttle_wait`). Every check costs
    one argon2 verification with the real parameters, a dummy hash's when there is no
    usable account, so its duration does not tell whether the address has one."""
    account_key = normalise_email(email)
    wait = await throttle.throttle_wait(
        db,
        account_key,
        address,
        max_failures=max_failures,
        max_network_failures=max_network_failures,
        window_seconds=window_seconds,
    )
    if wait > 0:
        return SignInResult(user=None, throttled=True, retry_after=wait)
    user = await db.scalar(select(User).where(User.email == account_key))
    password_ok = await verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.is_active or not password_ok:
        throttle.record_failure(db, account_key, address)
        await db.flush()
        return SignInResult(user=None)
    await throttle.clear_failures(db, account_key, address=address, everywhere=False)
    return SignInResult(user=user)


async def deactivate_user(db: AsyncSession, user: User) -> None:
    """Disable an account and end its sessions at once."""
    user.is_active = False
    await end_all_sessions(db, user.id)
    await db.flush()
