"""People, their roles, server-side sessions, sign-in records, emailed tokens, OpenID
identities and recovery codes. (Organisations and memberships: app.organisations.models.)"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, enum_by_value, utcnow
from app.security.roles import Role

if TYPE_CHECKING:
    from app.organisations.models import JoinRequest, Membership


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased so sign-in is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set when the person deleted their account: personal data is erased, the row stays so
    #: contributions keep their place in threads.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the person proved they read mail at `email` (a link, or a provider that says so).
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Base32 TOTP secret; two-factor is on once `totp_enabled_at` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The interface language the person chose or signed up in (app.i18n): their mail is
    #: written in it. None: English.
    locale: Mapped[str | None] = mapped_column(String(8))

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    #: Requests to join still waiting for an answer: until then the person speaks for themselves.
    pending_join_requests: Mapped[list[JoinRequest]] = relationship(
        primaryjoin="and_(User.id == JoinRequest.user_id, JoinRequest.status == 'pending')",
        viewonly=True,
        order_by="JoinRequest.id",
    )
    role_grants: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def roles(self) -> frozenset[Role]:
        """Every signed-in person is a participant; other roles are granted."""
        return frozenset({Role.PARTICIPANT, *(grant.role for grant in self.role_grants)})


class UserRole(Base):
    """A role granted to a person: moderator, negotiator or admin, in any combination."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_by_value(Role, "role"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants")


class UserSession(Base):
    """A signed-in browser. Only a hash of the cookie value is stored, so a leaked table
    cannot be replayed; deleting the row signs the browser out at once."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """A failed sign-in, kept in the database so every worker sees the same throttle."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_key_attempted_at", "account_key", "attempted_at"),
        Index("ix_sign_in_failures_network_attempted_at", "network", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(254))
    #: The client address the attempt came from, as the audit log and the person's data export show it.
    address: Mapped[str | None] = mapped_column(String(45))
    #: Its network (IPv4 /24, IPv6 /64, see app.accounts.throttle), which the throttle counts by.
    network: Mapped[str | None] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TokenPurpose(enum.Enum):
    """What an emailed single-use link does."""

    VERIFY_EMAIL = "verify_email"  #: prove the sign-up address reads its mail
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
    CHANGE_EMAIL = "change_email"  #: confirm a new address before it replaces the old one


class AccountToken(Base):
    """A single-use, expiring link sent by mail; only a hash of the token is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_by_value(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The address the link was sent to (the new one, for a change of email).
    email: Mapped[str] = mapped_column(String(254))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserIdentity(Base):
    """A sign-in through an OpenID Connect provider: (provider, subject) names one person."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_user_identities_provider_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The provider's configured name (OIDC_PROVIDERS), e.g. "eulogin".
    provider: Mapped[str] = mapped_column(String(40))
    #: The provider's `sub` claim.
    subject: Mapped[str] = mapped_column(String(255))
    #: The email the provider gave at the last sign-in, verified by it.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
