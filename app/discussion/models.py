"""Contributions (a position on a key message, or a reply nested under another one) and what
hangs on them: topics, endorsements by organisations, earlier versions, attachments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.chunks import ChunkColumns
from app.db import Base, TimestampMixin, enum_by_value, utcnow
from app.organisations.models import Organisation


class ContributionStatus(enum.Enum):
    """Whether readers see the body."""

    VISIBLE = "visible"
    HIDDEN = "hidden"  #: removed by a moderator, with a reason; replies stay readable
    WITHDRAWN = "withdrawn"  #: removed by its author (or with their account); replies stay readable


class PublicationConsent(enum.Enum):
    """How the author agreed the contribution may be published. Every page, feed and export
    goes through app.discussion.publication, which applies it."""

    NAMED = "named"  #: with the person's name and organisation
    ORGANISATION_ONLY = "organisation_only"  #: the organisation, not the person
    ANONYMOUS = "anonymous"  #: neither, except to moderators
    NOT_FOR_PUBLICATION = "not_for_publication"  #: seen only by moderators and negotiators


#: The rows of the partial unique indexes that keep one current position per speaker.
CURRENT_ORGANISATION_POSITION = "parent_id IS NULL AND superseded_by_id IS NULL AND organisation_id IS NOT NULL"
CURRENT_PERSONAL_POSITION = "parent_id IS NULL AND superseded_by_id IS NULL AND organisation_id IS NULL"
#: The rows of the partial indexes of contributions that quote their key message, and of
#: current positions that propose a wording (superseded ones are no longer proposed).
QUOTING = "quote_start IS NOT NULL"
AMENDING = "amendment_text IS NOT NULL AND superseded_by_id IS NULL"


class Contribution(TimestampMixin, Base):
    __tablename__ = "contributions"
    __table_args__ = (
        # Idempotent submission: a form's one-time key posts once per author.
        UniqueConstraint("author_id", "submission_key", name="uq_contributions_author_id_submission_key"),
        Index("ix_contributions_key_message_id_parent_id_created_at", "key_message_id", "parent_id", "created_at"),
        Index("ix_contributions_thread_root_id_created_at", "thread_root_id", "created_at"),
        # A person's latest contributions, counted by the posting limits (app.discussion.posting_limits).
        Index("ix_contributions_author_id_created_at", "author_id", "created_at"),
        Index("ix_contributions_key_message_id_endorsement_count", "key_message_id", "endorsement_count", "id"),
        # The newest contribution of a key message (live updates' marker, every rendered page):
        # without it PostgreSQL walks the primary key back past every newer row of the table.
        Index("ix_contributions_key_message_id_id", "key_message_id", "id"),
        # A campaign's members in id order, a page at a time (app.discussion.campaigns); leads
        # with campaign_id for the foreign key too.
        Index("ix_contributions_campaign_id_id", "campaign_id", "id"),
        # A key message's newest contributions (feeds), without reading the rest.
        Index("ix_contributions_key_message_id_created_at_id", "key_message_id", "created_at", "id"),
        # An organisation's newest contributions (its profile page); leads with organisation_id
        # for the foreign key too.
        Index("ix_contributions_organisation_id_created_at_id", "organisation_id", "created_at", "id"),
        # The contributions quoting a key message (its highlighted passages, a passage's page):
        # a handful of its contributions, read without the rest.
        Index(
            "ix_contributions_key_message_id_created_at_id_quoting",
            "key_message_id",
            "created_at",
            "id",
            sqlite_where=text(QUOTING),
            postgresql_where=text(QUOTING),
        ),
        # Top-level contributions carry a position; replies never do.
        CheckConstraint("(parent_id IS NULL) = (position IS NOT NULL)", name="position_only_on_top_level"),
        # One current position per speaker and key message (app.discussion.supersession):
        # an organisation, whichever member posts, and a person speaking for themselves.
        Index(
            "uq_contributions_current_position_organisation",
            "key_message_id",
            "organisation_id",
            unique=True,
            sqlite_where=text(CURRENT_ORGANISATION_POSITION),
            postgresql_where=text(CURRENT_ORGANISATION_POSITION),
        ),
        Index(
            "uq_contributions_current_position_personal",
            "key_message_id",
            "author_id",
            unique=True,
            sqlite_where=text(CURRENT_PERSONAL_POSITION),
            postgresql_where=text(CURRENT_PERSONAL_POSITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    #: Indexed with created_at (ix_contributions_author_id_created_at), for posting limits.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: The organisation the author spoke for, fixed at the time of writing (indexed with
    #: created_at: ix_contributions_organisation_id_created_at_id).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    #: The top-level contribution of the thread (NULL for a top-level one), so a thread
    #: loads in one indexed query.
    thread_root_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    #: One of the consultation's positions; replies carry none.
    position: Mapped[str | None] = mapped_column(String(40))
    body_source: Mapped[str] = mapped_column(Text)
    #: Sanitised HTML rendered once at write time, so reads never re-render Markdown.
    body_html: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[ContributionStatus] = mapped_column(
        enum_by_value(ContributionStatus, "contribution_status", length=20), default=ContributionStatus.VISIBLE
    )
    #: The reason shown to readers while the contribution is hidden.
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str] = mapped_column(String(64))
    publication: Mapped[PublicationConsent] = mapped_column(
        enum_by_value(PublicationConsent, "publication_consent", length=30),
        default=PublicationConsent.NAMED,
        server_default=PublicationConsent.NAMED.value,
    )
    #: The wording of the key message this contribution proposes (positions that amend only).
    amendment_text: Mapped[str | None] = mapped_column(Text)
    #: A passage of the key message this contribution is about: its text and where it starts
    #: in the key message text without footnote markers (app.text.footnotes.strip_footnote_markers).
    quote_text: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    #: When the author last changed it; earlier versions are ContributionRevision rows.
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Kept equal to the number of its Endorsement rows, so lists sort by support in the index.
    endorsement_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The speaker's current position, once a later one replaced this one (positions only):
    #: a superseded position stays readable in its thread and counts nowhere. No ON DELETE
    #: action: superseded positions never come back, so deleting the current one alone is
    #: refused (a key message's contributions are deleted together).
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"), index=True)
    #: When a moderator locked the thread: set on every contribution of it (a reply can be
    #: refused, and a page can say so, from the row itself), cleared on all when unlocked.
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The contribution a moderator marked this one a duplicate of (readers are sent there).
    #: No foreign key: SQLite cannot add one without rebuilding the table and its triggers
    #: (migration b5e8d3c1a7f4); the target goes only with its whole key message.
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer)
    #: The campaign of near-identical contributions it belongs to, if any (app.discussion.campaigns):
    #: set only by a recomputation, which replaces a consultation's campaigns whole.
    #: Indexed with id (ix_contributions_campaign_id_id): a campaign's members in keyset pages.
    #: No ON DELETE action (see migration f3a9c2e7b5d1): members are released before their campaign goes.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


# A key message's amendments, most endorsed first then oldest first (app.discussion.amendments):
# declared here, as the descending column needs the mapped attribute.
Index(
    "ix_contributions_amendments_by_support",
    Contribution.key_message_id,
    Contribution.endorsement_count.desc(),
    Contribution.id,
    sqlite_where=text(AMENDING),
    postgresql_where=text(AMENDING),
)


class Campaign(Base):
    """Contributions of one consultation with near-identical text (app.discussion.campaigns).

    Derived data: a recomputation replaces a consultation's campaigns, keeping the row of a
    campaign whose members did not change. `representative_id` is the earliest member, kept
    without a foreign key: it is always a member, and a member's deletion leaves the id of
    the text the campaign copied (the members' count and links stay right)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: How many contributions it had when computed; readers see it on each member.
    size: Mapped[int] = mapped_column(Integer)
    representative_id: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContributionTopic(Base):
    """A topic a contribution is tagged with, by its author or corrected by a moderator."""

    __tablename__ = "contribution_topics"

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)


class Endorsement(Base):
    """An organisation co-signs a contribution (an amendment included), once."""

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("contribution_id", "organisation_id", name="uq_endorsements_contribution_id_organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: The member who signed for the organisation; NULL once their account is erased.
    endorsed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ContributionRevision(Base):
    """A version of a contribution as it was before an edit; the current one is on the row."""

    __tablename__ = "contribution_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    position: Mapped[str | None] = mapped_column(String(40))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    amendment_text: Mapped[str | None] = mapped_column(Text)
    #: When this version was published (the contribution's creation or an earlier edit).
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the edit that replaced it was made.
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attachment(Base):
    """A position paper (PDF) attached to a contribution, its bytes in AttachmentChunk rows
    (any machine serves it), served only through the contribution's publication rules."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    #: The file it was kept in on one machine's disk before papers moved into the database
    #: (`roundtable papers import` matches files by it); NULL for papers uploaded since.
    storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AttachmentChunk(ChunkColumns, Base):
    """A piece of a paper's bytes, in order (app.chunks); written in the transaction that
    publishes the paper."""

    __tablename__ = "attachment_chunks"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)


#: A held contribution still waiting for its moderator.
WAITING_FOR_APPROVAL = "decided_at IS NULL"


class HeldOutcome(enum.Enum):
    """What a moderator decided about a held contribution."""

    APPROVED = "approved"  #: published, with the time it was written
    REJECTED = "rejected"  #: never published
    WITHDRAWN = "withdrawn"  #: taken back by its author before a moderator decided; never published


class HeldContribution(Base):
    """A contribution written where pre-moderation applies, waiting for a moderator's approval
    (app.discussion.holding). It is not a contribution until approved, so nothing that reads
    contributions (pages, tallies, feeds, exports, live updates) can count or show it; only
    its author and the moderators read it here."""

    __tablename__ = "held_contributions"
    __table_args__ = (
        UniqueConstraint("author_id", "submission_key", name="uq_held_contributions_author_id_submission_key"),
        Index(
            "ix_held_contributions_waiting_author",
            "author_id",
            "key_message_id",
            sqlite_where=text(WAITING_FOR_APPROVAL),
            postgresql_where=text(WAITING_FOR_APPROVAL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: What it answers (a reply); None for a position.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    #: The checked columns of the contribution it becomes (JSON-native values).
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    topic_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    submission_key: Mapped[str] = mapped_column(String(64))
    #: When it was written: the time it is published with, once approved.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[HeldOutcome | None] = mapped_column(enum_by_value(HeldOutcome, "held_outcome", length=20))
    #: The contribution it became, once approved.
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="SET NULL"))

    author: Mapped[User] = relationship()
