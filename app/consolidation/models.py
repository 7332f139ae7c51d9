"""What negotiators record of the contributions: a review state per contribution with every
change kept, internal notes, and revised wordings of key messages with the contributions
each reflects. None of it is public except what app.consolidation.outcome publishes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, enum_by_value, utcnow


class ReviewState(enum.Enum):
    """What negotiators made of a contribution."""

    NEW = "new"  #: nobody reviewed it yet (the default: no row)
    REVIEWED = "reviewed"  #: read, nothing decided
    REFLECTED = "reflected"  #: taken up in the revised wording
    PARTLY_REFLECTED = "partly_reflected"  #: taken up in part
    NOT_REFLECTED = "not_reflected"  #: not taken up, for a reason recorded with it


#: Room for states to come without a migration.
_STATE_LENGTH = 30


class ContributionReview(Base):
    """A contribution's current review state; a contribution without a row is new."""

    __tablename__ = "contribution_reviews"

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[ReviewState] = mapped_column(enum_by_value(ReviewState, "review_state", length=_STATE_LENGTH))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewChange(Base):
    """One change of a contribution's review state, never edited: negotiators trace every
    decision, including the one a colleague's later change replaced."""

    __tablename__ = "contribution_review_changes"
    __table_args__ = (Index("ix_contribution_review_changes_contribution_id_id", "contribution_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    from_state: Mapped[ReviewState] = mapped_column(enum_by_value(ReviewState, "review_state", length=_STATE_LENGTH))
    to_state: Mapped[ReviewState] = mapped_column(enum_by_value(ReviewState, "review_state", length=_STATE_LENGTH))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    changed_by: Mapped[User] = relationship()


class CurationNote(Base):
    """A negotiator's internal note on a contribution, or on the key message itself when
    `contribution_id` is None. Only negotiators ever read it."""

    __tablename__ = "curation_notes"
    __table_args__ = (Index("ix_curation_notes_key_message_id_contribution_id", "key_message_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    written_by: Mapped[User] = relationship()


class RevisedWording(Base):
    """One version of a key message's revised wording, never edited; the highest version is
    the current one."""

    __tablename__ = "revised_wordings"
    __table_args__ = (UniqueConstraint("key_message_id", "version", name="uq_revised_wordings_key_message_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    written_by: Mapped[User] = relationship()
    reflects: Mapped[list[WordingSource]] = relationship(
        back_populates="wording", order_by="WordingSource.contribution_id", cascade="all, delete-orphan"
    )

    @property
    def contribution_ids(self) -> list[int]:
        return [source.contribution_id for source in self.reflects]


class WordingSource(Base):
    """A contribution a revised wording reflects."""

    __tablename__ = "revised_wording_sources"

    wording_id: Mapped[int] = mapped_column(ForeignKey("revised_wordings.id", ondelete="CASCADE"), primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    wording: Mapped[RevisedWording] = relationship(back_populates="reflects")
