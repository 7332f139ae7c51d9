"""Users, organisations and server-side sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, enum_by_value, utcnow


class Role(enum.Enum):
    """What a person may do on the platform beyond contributing."""

    PARTICIPANT = "participant"  #: reads, takes positions, replies
    MODERATOR = "moderator"  #: also hides and restores contributions
    NEGOTIATOR = "negotiator"  #: also exports the consolidated input
    ADMIN = "admin"  #: everything, including managing people


class OrganisationType(enum.Enum):
    """The kind of stakeholder an organisation is; tallies are broken down by it."""

    GOVERNMENT = "government"
    REGIONAL_LOCAL_AUTHORITY = "regional_local_authority"
    CIVIL_SOCIETY = "civil_society"
    DIASPORA = "diaspora"
    INTERNATIONAL = "international"
    TRADE_UNION = "trade_union"
    EMPLOYERS_BUSINESS = "employers_business"
    ACADEMIA_RESEARCH = "academia_research"
    OTHER = "other"


class EcosocStatus(enum.Enum):
    """Consultative status with the UN Economic and Social Council."""

    NONE = "none"
    GENERAL = "general"
    SPECIAL = "special"
    ROSTER = "roster"


class VerificationState(enum.Enum):
    """Whether a moderator has checked that the organisation is who it says it is."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("name_key", "country", name="uq_organisations_name_key_country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The name case-folded in Python (databases disagree on lower() beyond ASCII), so
    #: "Forum des Sénégalais" and "FORUM DES SÉNÉGALAIS" are one organisation per country.
    name_key: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrganisationType] = mapped_column(enum_by_value(OrganisationType, "organisation_type"))
    #: ISO 3166-1 alpha-2 code of the country of registration.
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: EU Transparency Register identification number (e.g. 123456789012-34).
    transparency_register_id: Mapped[str | None] = mapped_column(String(20))
    ecosoc_status: Mapped[EcosocStatus] = mapped_column(
        enum_by_value(EcosocStatus, "ecosoc_status", length=20), default=EcosocStatus.NONE, server_default="none"
    )
    verification: Mapped[VerificationState] = mapped_column(
        enum_by_value(VerificationState, "verification_state", length=20),
        default=VerificationState.UNVERIFIED,
        server_default="unverified",
    )
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: How the moderator checked (shown to moderators and in the audit log, not publicly).
    verification_note: Mapped[str | None] = mapped_column(Text)
    #: Diaspora organisations: ISO 3166-1 alpha-2 codes of the communities' countries of origin.
    origin_countries: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: When an edit of checked facts ended the verification (cleared when verified again).
    verification_lapsed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Which checked facts that edit changed (names of profile fields), for the moderators.
    verification_lapsed_fields: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")


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

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    #: Requests to join still waiting for an answer: until then the person speaks for themselves.
    pending_join_requests: Mapped[list[JoinRequest]] = relationship(
        primaryjoin=lambda: and_(User.id == JoinRequest.user_id, JoinRequest.status == JoinRequestStatus.PENDING),
        viewonly=True,
        order_by=lambda: JoinRequest.id,
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


class Membership(TimestampMixin, Base):
    """A person belongs to an organisation and may speak on its behalf."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_id_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


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


class Invitation(Base):
    """An organisation admin invites someone by email; the emailed link works once."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    as_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JoinRequestStatus(enum.Enum):
    """Where a request to join an organisation stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class JoinRequest(Base):
    """A person asks to join an organisation; one of its admins approves or declines."""

    __tablename__ = "join_requests"
    __table_args__ = (Index("ix_join_requests_organisation_id_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[JoinRequestStatus] = mapped_column(
        enum_by_value(JoinRequestStatus, "join_request_status", length=20), default=JoinRequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Why the request was answered so: required of a moderator answering a request to join
    #: an organisation without admins (a claim), shown to moderators and in the audit log.
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
