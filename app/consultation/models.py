"""The text under consultation: consultation → sections → paragraphs and key messages."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.expression import false

from app.consultation.phases import accepts_contributions
from app.db import Base, TimestampMixin, enum_by_value, utcnow


class ConsultationStatus(enum.Enum):
    """Whether the consultation is public. Whether it accepts contributions is not stored:
    it follows from its opening and closing instants (app.consultation.phases)."""

    DRAFT = "draft"  #: being prepared; not listed
    PUBLISHED = "published"  #: listed and readable; open between its instants


class PreModeration(enum.Enum):
    """Whose contributions wait for a moderator before anyone else reads them."""

    NONE = "none"  #: everything is published at once
    FIRST_CONTRIBUTION = "first_contribution"  #: a person's, until one of theirs was approved
    UNVERIFIED = "unverified"  #: everyone's but those speaking for a verified organisation


class SectionKind(enum.Enum):
    """What part of the document a section is."""

    INTRODUCTION = "introduction"
    ROUNDTABLE = "roundtable"  #: one roundtable of the dialogue, with key messages
    CONTEXT = "context"  #: a numbered subsection of a roundtable (2.1, 2.2, ...)
    NEXT_STEPS = "next_steps"  #: what the EU will do (section 6), commentable too
    CONCLUSION = "conclusion"


class KeyMessageKind(enum.Enum):
    """The kind of commentable statement."""

    KEY_MESSAGE = "key_message"  #: a key message for the UN dialogue
    EU_ACTION = "eu_action"  #: a next step of the EU (section 6 bullet)
    EU_COMMITMENT = "eu_commitment"  #: a numbered EU commitment (section 6, i–iii)


class Consultation(TimestampMixin, Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    source_reference: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[ConsultationStatus] = mapped_column(enum_by_value(ConsultationStatus, "consultation_status"))
    #: From this instant (UTC) contributions are accepted; None: since it was published.
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: From this instant (UTC) no more are accepted; None: no closing is scheduled.
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Allowed positions, in display order (configured per consultation in its seed file).
    positions: Mapped[list[str]] = mapped_column(JSON)
    #: The positions whose contributions propose new wording of the key message.
    amendment_positions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: The house rules moderators cite in decisions, from the seed file: [{"ref": "R1",
    #: "title": {"en": …}, "text": {"en": …}}, …] (app.moderation.rules).
    moderation_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    #: Whose contributions a moderator approves first (app.discussion.holding).
    premoderation: Mapped[PreModeration] = mapped_column(
        enum_by_value(PreModeration, "premoderation", length=30),
        default=PreModeration.NONE,
        server_default=PreModeration.NONE.value,
    )
    #: Once closed, a public "what we heard" page per key message shows what negotiators
    #: took up (app.consolidation.outcome); off unless the seed file or an administrator says so.
    publishes_outcome: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", order_by="Section.position", cascade="all, delete-orphan"
    )
    footnotes: Mapped[list[Footnote]] = relationship(
        back_populates="consultation", order_by="Footnote.number", cascade="all, delete-orphan"
    )
    #: Loaded with the consultation: forms and filters need it, and it is a short list.
    topics: Mapped[list[Topic]] = relationship(
        back_populates="consultation", order_by="Topic.position", cascade="all, delete-orphan", lazy="selectin"
    )
    #: Loaded only where asked for (the seed loader); pages read one locale's (app.consultation.translations).
    translations: Mapped[list[ConsultationTranslation]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        """Listed and readable: anything but a draft."""
        return self.status is not ConsultationStatus.DRAFT

    @property
    def takes_contributions_now(self) -> bool:
        """Published and in its open phase now (app.consultation.phases); the policy asks this."""
        return accepts_contributions(self)

    @validates("opens_at", "closes_at")
    def _in_utc(self, _key: str, moment: datetime | None) -> datetime | None:
        """SQLite stores the wall time and drops the zone: only UTC reads back as meant."""
        if moment is None or moment.tzinfo is None:
            return moment
        return moment.astimezone(UTC)


class Section(Base):
    """A numbered part of the document; context subsections hang under their roundtable."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("consultation_id", "number", name="uq_sections_consultation_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(10))
    #: Stable reference of a roundtable (RT1 … RT4), used in URLs.
    ref: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[SectionKind] = mapped_column(enum_by_value(SectionKind, "section_kind"))
    title: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="section", order_by="Paragraph.position", cascade="all, delete-orphan"
    )
    key_messages: Mapped[list[KeyMessage]] = relationship(
        back_populates="section", order_by="KeyMessage.position", cascade="all, delete-orphan"
    )
    translations: Mapped[list[SectionTranslation]] = relationship(
        back_populates="section", cascade="all, delete-orphan"
    )


class ParagraphPlacement(enum.Enum):
    """Where a paragraph stands relative to its section's key messages."""

    BEFORE = "before"  #: before the first key message (most paragraphs)
    BETWEEN = "between"  #: between the EU actions and the EU commitments (lead-in)
    AFTER = "after"  #: after the last key message


class Paragraph(Base):
    __tablename__ = "paragraphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    placement: Mapped[ParagraphPlacement] = mapped_column(
        enum_by_value(ParagraphPlacement, "paragraph_placement"), default=ParagraphPlacement.BEFORE
    )
    #: Verbatim text; footnote markers written inline as [^n].
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))

    section: Mapped[Section] = relationship(back_populates="paragraphs")


class KeyMessage(Base):
    """A commentable statement with a reference that never changes (RT2-KM3, EU-A1, EU-C2)."""

    __tablename__ = "key_messages"
    __table_args__ = (UniqueConstraint("consultation_id", "ref", name="uq_key_messages_consultation_id_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(20))
    kind: Mapped[KeyMessageKind] = mapped_column(enum_by_value(KeyMessageKind, "key_message_kind"))
    position: Mapped[int] = mapped_column(Integer)
    #: Verbatim text; footnote markers written inline as [^n].
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    #: Bumped with every change to what its discussion shows; rendered fragments of the
    #: discussion are valid for one version only (app.fragments).
    discussion_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: What its page summarises of the discussion, each stored for one of its versions and
    #: bumped by triggers only by the writes that change it (migration e7a4c1f9d263): the
    #: position table (any top-level contribution), the proposed amendments (contributions
    #: with proposed wording) and the highlighted text (quoting contributions). Written only
    #: by the database.
    tally_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    amendments_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quotes_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When the key message or its discussion last changed (any UPDATE of the row, the
    #: version's bump included, sets it): its pages' Last-Modified (app.web.conditional).
    #: None: not since this column was added, which was before the running code started.
    discussion_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), onupdate=utcnow)

    section: Mapped[Section] = relationship(back_populates="key_messages")
    translations: Mapped[list[KeyMessageTranslation]] = relationship(
        back_populates="key_message", cascade="all, delete-orphan"
    )


class Footnote(Base):
    __tablename__ = "footnotes"
    __table_args__ = (UniqueConstraint("consultation_id", "number", name="uq_footnotes_consultation_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))

    consultation: Mapped[Consultation] = relationship(back_populates="footnotes")


class Topic(Base):
    """One term of a consultation's controlled vocabulary of topics (from its seed file)."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("consultation_id", "slug", name="uq_topics_consultation_id_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: Stable, used in URLs (?topic=remittances); never renamed.
    slug: Mapped[str] = mapped_column(String(60))
    #: The label by locale ({"en": "Remittances", "nl": "Geldovermakingen"}).
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)

    consultation: Mapped[Consultation] = relationship(back_populates="topics")


class ConsultationTranslation(Base):
    """An unofficial translation of a consultation's title and summary, from its seed file.
    The original (Consultation.language) stays authoritative: nothing else reads this."""

    __tablename__ = "consultation_translations"
    __table_args__ = (
        UniqueConstraint("consultation_id", "locale", name="uq_consultation_translations_consultation_id_locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="translations")


class SectionTranslation(Base):
    """An unofficial translation of a section's title (a roundtable's), from the seed file."""

    __tablename__ = "section_translations"
    __table_args__ = (UniqueConstraint("section_id", "locale", name="uq_section_translations_section_id_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(500))

    section: Mapped[Section] = relationship(back_populates="translations")


class KeyMessageTranslation(Base):
    """An unofficial translation of a key message, from the seed file. Quotes, proposed
    wording, redlines and exports work on the original text only."""

    __tablename__ = "key_message_translations"
    __table_args__ = (
        UniqueConstraint("key_message_id", "locale", name="uq_key_message_translations_key_message_id_locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    #: Footnote markers ([^n]) where the original has them, so the notes stay linked.
    text: Mapped[str] = mapped_column(Text)

    key_message: Mapped[KeyMessage] = relationship(back_populates="translations")
