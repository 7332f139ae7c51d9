"""Organisations, the people who speak for them (memberships), invitations and requests to join."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, enum_by_value, utcnow


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
    __table_args__ = (
        UniqueConstraint("name_key", "country", name="uq_organisations_name_key_country"),
        # Searching by part of a name (app.organisations.directory.search_organisations):
        # trigrams on PostgreSQL, a plain index on SQLite.
        Index(
            "ix_organisations_search_key_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The name case-folded in Python (databases disagree on lower() beyond ASCII), so
    #: "Forum des Sénégalais" and "FORUM DES SÉNÉGALAIS" are one organisation per country.
    name_key: Mapped[str] = mapped_column(String(200))
    #: The name key without accents, for searching by part of the name
    #: (app.organisations.directory.organisation_search_key).
    search_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
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


class Membership(TimestampMixin, Base):
    """A person belongs to an organisation and may speak on its behalf."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_id_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    #: Loaded with the membership: every page that shows a membership names its organisation.
    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="joined")


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

    #: Loaded with the request: every page that shows a request names its organisation.
    organisation: Mapped[Organisation] = relationship(lazy="joined")
