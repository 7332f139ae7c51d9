"""Who a person signing in through an OpenID Connect provider is, in our accounts: the
rules for recognising, linking and creating accounts from a provider's claims."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.models import RecoveryCode, User, UserIdentity
from app.accounts.oidc import OidcClaims
from app.accounts.services import normalise_email
from app.accounts.sessions import end_all_sessions
from app.db import utcnow
from app.i18n import _, current_locale
from app.security.roles import Role

MAX_DISPLAY_NAME = 120


class AccountRefusal(enum.Enum):
    """Why a proven identity still does not sign anyone in."""

    EMAIL_NOT_VERIFIED = "email_not_verified"  #: no account is created or linked on an unproven address
    DISABLED = "disabled"  #: the account has been disabled


class OidcAccountError(Exception):
    """The provider proved who the person is, but our rules refuse the sign-in."""

    def __init__(self, refusal: AccountRefusal, provider_label: str) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.provider_label = provider_label
        self.status_code = 403

    @property
    def title(self) -> str:
        if self.refusal is AccountRefusal.DISABLED:
            return _("This account is disabled")
        return _("%(provider)s did not confirm your email address", provider=self.provider_label)

    @property
    def message(self) -> str:
        if self.refusal is AccountRefusal.DISABLED:
            return _("You cannot sign in with this account. Contact the organisers if you think this is a mistake.")
        return _(
            "We only create or connect an account when %(provider)s confirms that the email address is yours. "
            "Confirm your address with %(provider)s and try again, or create an account with a password.",
            provider=self.provider_label,
        )


@dataclass(frozen=True)
class OidcSignIn:
    user: User
    created: bool
    #: A participant without an organisation is asked to choose or register one first.
    needs_organisation: bool


async def sign_in_with_oidc(db: AsyncSession, claims: OidcClaims, *, provider_label: str) -> OidcSignIn:
    """A known (provider, subject) is that person, whatever their email is today. Otherwise
    the provider must vouch for the email address (email_verified) before we create an
    account or connect the one with that address: an unverified address would let anyone
    who typed someone else's email at a lax provider into that person's account."""
    identity = await db.scalar(
        select(UserIdentity).where(UserIdentity.provider == claims.provider, UserIdentity.subject == claims.subject)
    )
    if identity is not None:
        user = await _user(db, User.id == identity.user_id)
        assert user is not None  # the foreign key cascades on delete
        _refuse_if_disabled(user, provider_label)
        identity.last_used_at = utcnow()
        if claims.email and claims.email_verified:
            identity.email = normalise_email(claims.email)
        await db.flush()
        return OidcSignIn(user=user, created=False, needs_organisation=_needs_organisation(user))
    if not (claims.email and claims.email_verified):
        raise OidcAccountError(AccountRefusal.EMAIL_NOT_VERIFIED, provider_label)
    email = normalise_email(claims.email)
    user = await _user(db, User.email == email)
    created = user is None
    if user is None:
        user = await _create_account(db, email, claims.name)
    else:
        _refuse_if_disabled(user, provider_label)
        await _claim_unverified(db, user)
    db.add(
        UserIdentity(
            user_id=user.id, provider=claims.provider, subject=claims.subject, email=email, last_used_at=utcnow()
        )
    )
    await db.flush()
    return OidcSignIn(user=user, created=created, needs_organisation=created or _needs_organisation(user))


async def _user(db: AsyncSession, where: ColumnElement[bool]) -> User | None:
    user: User | None = await db.scalar(
        select(User)
        .where(where)
        .options(
            selectinload(User.memberships), selectinload(User.role_grants), selectinload(User.pending_join_requests)
        )
        .execution_options(populate_existing=True)
    )
    return user


def _refuse_if_disabled(user: User, provider_label: str) -> None:
    if not user.is_active:
        raise OidcAccountError(AccountRefusal.DISABLED, provider_label)


def _needs_organisation(user: User) -> bool:
    """Staff accounts (moderators, negotiators, admins) may belong to no organisation; a
    person waiting for an answer to a request to join has chosen one."""
    return not user.memberships and not user.pending_join_requests and user.roles == {Role.PARTICIPANT}


async def _create_account(db: AsyncSession, email: str, name: str | None) -> User:
    """No password: the person proves who they are at the provider, which vouched for the address."""
    display_name = " ".join((name or "").split())[:MAX_DISPLAY_NAME] or email.split("@")[0][:MAX_DISPLAY_NAME]
    user = User(
        email=email,
        display_name=display_name,
        password_hash=None,
        email_verified_at=utcnow(),
        memberships=[],
        role_grants=[],
        # Their mail is written in the language they signed up in (app.i18n).
        locale=current_locale.get(),
    )
    db.add(user)
    await db.flush()
    return user


async def _claim_unverified(db: AsyncSession, user: User) -> None:
    """Connecting to an account whose address was never proven: whoever signed it up may not
    own the address (pre-account-takeover), so their password, second factor and sessions
    go; the provider's owner of the address is the owner of the account from now on."""
    if user.email_verified_at is not None:
        return
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.email_verified_at = utcnow()
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await end_all_sessions(db, user.id)
