"""Contributions: a position on a key message, or a reply nested under another contribution."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.db import Base, TimestampMixin, enum_by_value


class ContributionStatus(enum.Enum):
    """Whether readers see the body."""

    VISIBLE = "visible"
    HIDDEN = "hidden"  #: removed by a moderator, with a reason; replies stay readable
    WITHDRAWN = "withdrawn"  #: removed by its author (or with their account); replies stay readable


class Contribution(TimestampMixin, Base):
    __tablename__ = "contributions"
    __table_args__ = (
        # Idempotent submission: a form's one-time key posts once per author.
        UniqueConstraint("author_id", "submission_key", name="uq_contributions_author_id_submission_key"),
        Index("ix_contributions_key_message_id_parent_id_created_at", "key_message_id", "parent_id", "created_at"),
        Index("ix_contributions_thread_root_id_created_at", "thread_root_id", "created_at"),
        # Top-level contributions carry a position; replies never do.
        CheckConstraint("(parent_id IS NULL) = (position IS NOT NULL)", name="position_only_on_top_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: The organisation the author spoke for, fixed at the time of writing.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
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

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
