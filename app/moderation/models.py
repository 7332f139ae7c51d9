"""The moderation log (one row per real decision, never edited), readers' reports, the
queue of what waits for a moderator's decision, and what moderators curate: highlights of
a key message and summaries of long threads."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, enum_by_value, utcnow


class ModerationAction(enum.Enum):
    """A decision on a contribution."""

    HIDE = "hide"
    RESTORE = "restore"
    RETAG = "retag"  #: a moderator corrected the topics; details hold before and after
    KEEP = "keep"  #: the reports were looked at and the contribution stays as it is
    APPROVE = "approve"  #: a held contribution is published (pre-moderation)
    REJECT = "reject"  #: a held contribution is never published
    #: Hidden while the moderators look into it: the waiting item stays open for the final
    #: decision (hide, with a statement of reasons the author can appeal, or restore).
    HOLD = "hold"
    LOCK = "lock"  #: the contribution's thread takes no new replies
    UNLOCK = "unlock"  #: the thread takes replies again
    DUPLICATE = "duplicate"  #: marked a duplicate of another contribution (details: its id)
    PIN = "pin"  #: chosen as a highlight of its key message; the reason is shown with it
    UNPIN = "unpin"  #: no longer a highlight
    MERGE = "merge"  #: a duplicate thread closed; details hold the thread it continues in


class ModerationLogEntry(Base):
    __tablename__ = "moderation_log"
    #: A consultation's public log reads its decisions newest first, in keyset pages.
    __table_args__ = (Index("ix_moderation_log_consultation_id_id", "consultation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for a decision on a held contribution that was never published (held_id).
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    held_id: Mapped[int | None] = mapped_column(ForeignKey("held_contributions.id", ondelete="CASCADE"), index=True)
    #: The contribution's consultation (or the held contribution's), copied so its public log
    #: and figures read one index range. Always written; nullable only because SQLite could
    #: make it NOT NULL solely by rebuilding the table (migration e8b3d1f5a620).
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[ModerationAction] = mapped_column(enum_by_value(ModerationAction, "moderation_action", length=20))
    #: Audit tag in the form source:subject:action.
    tag: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    #: The ref of the consultation's rule the decision applies (Consultation.moderation_rules),
    #: if the moderator chose one.
    rule: Mapped[str | None] = mapped_column(String(40))
    #: What changed, where the action alone does not say (retag: {"before": [...], "after": [...]}).
    details: Mapped[dict[str, object] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    moderator: Mapped[User] = relationship()


class ReportReason(enum.Enum):
    """Why a reader reports a contribution."""

    SPAM = "spam"
    ABUSIVE = "abusive"  #: abusive or hateful
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"  #: it exposes someone's personal data
    MISLEADING = "misleading"
    ILLEGAL = "illegal"  #: a notice of illegal content (EU Digital Services Act, article 16)


class QueueKind(enum.Enum):
    """What a waiting item asks a moderator to decide."""

    REPORTED = "reported"  #: readers reported the contribution
    APPEAL = "appeal"  #: the author of a hidden contribution asks for the decision to be reviewed
    HELD = "held"  #: pre-moderation holds a new contribution until a moderator approves it


#: An item still waiting for a decision.
WAITING = "decided_at IS NULL"


class QueueItem(Base):
    """One thing waiting for a moderator: a contribution with its open reports (however many
    readers reported it, one item), and once decided, the record of who decided what.

    The queue is read oldest first in keyset pages, on partial indexes of waiting items only,
    so its cost follows the page, not the thousands decided before or waiting behind."""

    __tablename__ = "moderation_queue"
    __table_args__ = (
        # One waiting item per contribution and kind: reports arriving together join it.
        Index(
            "uq_moderation_queue_waiting",
            "kind",
            "contribution_id",
            unique=True,
            sqlite_where=text(WAITING),
            postgresql_where=text(WAITING),
        ),
        Index(
            "ix_moderation_queue_waiting", "opened_at", "id", sqlite_where=text(WAITING), postgresql_where=text(WAITING)
        ),
        Index(
            "ix_moderation_queue_waiting_consultation",
            "consultation_id",
            "opened_at",
            "id",
            sqlite_where=text(WAITING),
            postgresql_where=text(WAITING),
        ),
        Index(
            "ix_moderation_queue_waiting_key_message",
            "key_message_id",
            "opened_at",
            "id",
            sqlite_where=text(WAITING),
            postgresql_where=text(WAITING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[QueueKind] = mapped_column(enum_by_value(QueueKind, "queue_kind", length=20))
    #: None for a held contribution (held_id), which is no contribution until approved.
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    held_id: Mapped[int | None] = mapped_column(
        ForeignKey("held_contributions.id", ondelete="CASCADE"), index=True, unique=True
    )
    #: Where the contribution is, for the queue's filters (a contribution never moves).
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    #: Waiting since: the first report.
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The logged decision that closed the item (its moderator, action and reason).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_log.id", ondelete="SET NULL"))

    #: The HOLD decision (moderation_log.id) that hid the contribution while the item waits
    #: for its final decision; no foreign key (migration c6e1a4b9d2f8).
    hold_id: Mapped[int | None] = mapped_column(Integer)

    decision: Mapped[ModerationLogEntry | None] = relationship()


class QueueReason(Base):
    """A reason readers gave for a waiting item, once per reason, for the queue's filter by
    reason: read oldest first from its own index, it costs the page however rare or common
    the reason is. Deleted when the item is decided (app.moderation.services.log_decision)."""

    __tablename__ = "moderation_queue_reasons"
    __table_args__ = (Index("ix_moderation_queue_reasons_reason_opened_at", "reason", "opened_at", "queue_item_id"),)

    queue_item_id: Mapped[int] = mapped_column(ForeignKey("moderation_queue.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[ReportReason] = mapped_column(
        enum_by_value(ReportReason, "report_reason", length=20), primary_key=True
    )
    #: The item's opened_at, copied so the index orders by it.
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Report(Base):
    """A reader's report of a contribution: once per reader and contribution. Never shown
    publicly, never to the contribution's author."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("contribution_id", "reporter_id", name="uq_reports_contribution_id_reporter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_by_value(ReportReason, "report_reason", length=20))
    explanation: Mapped[str | None] = mapped_column(Text)
    #: A notice of illegal content: what is illegal and why, and under which country's law.
    illegal_what: Mapped[str | None] = mapped_column(Text)
    illegal_where: Mapped[str | None] = mapped_column(Text)
    #: The reporter confirmed that they believe in good faith the notice is accurate (DSA 16(2)(d)).
    good_faith: Mapped[bool] = mapped_column(Boolean, default=False)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("moderation_queue.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Appeal(Base):
    """The author's request that a decision on their contribution be reviewed (an internal
    complaint under the DSA, article 20): once per decision, decided by another moderator.
    It names the contribution a decision hid, or the held contribution a decision kept from
    publication (held_id)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    held_id: Mapped[int | None] = mapped_column(ForeignKey("held_contributions.id", ondelete="CASCADE"), index=True)
    #: The decision appealed; unique: a decision is appealed once.
    decision_id: Mapped[int] = mapped_column(ForeignKey("moderation_log.id", ondelete="CASCADE"), unique=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("moderation_queue.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    decision: Mapped[ModerationLogEntry] = relationship()


class Highlight(Base):
    """A contribution the moderators chose as a highlight of its key message, with the reason
    readers see beside it. Shown only while the contribution is visible and published."""

    __tablename__ = "highlights"
    __table_args__ = (Index("ix_highlights_key_message_id_pinned_at", "key_message_id", "pinned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique: a contribution is pinned once (two moderators pinning it at once: one wins).
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), unique=True)
    #: Where it is shown (a contribution never moves); leads the index the page reads.
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    pinned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    pinned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ThreadSummary(Base):
    """The moderation team's summary of a thread (a top-level contribution and its replies),
    as it is now. Every version, this one included, is a ThreadSummaryVersion row; `version`
    is the number of the current one, which an edit must name (no silent overwrite)."""

    __tablename__ = "thread_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The thread's top-level contribution; unique: one summary per thread.
    root_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), unique=True)
    #: Where the thread is, for the export (a contribution never moves).
    key_message_id: Mapped[int] = mapped_column(ForeignKey("key_messages.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body_source: Mapped[str] = mapped_column(Text)
    #: Sanitised HTML rendered once at write time (app.text.markdown).
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ThreadSummaryVersion(Base):
    """One version of a summary, never edited: who wrote it is for moderators only; readers
    see the moderation team and the date."""

    __tablename__ = "thread_summary_versions"
    __table_args__ = (UniqueConstraint("summary_id", "version", name="uq_thread_summary_versions_summary_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("thread_summaries.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    written_by: Mapped[User] = relationship()


class ThreadMerge(Base):
    """A duplicate thread merged into another: it stays readable, shows where the discussion
    continues, and takes no new replies."""

    __tablename__ = "thread_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The merged thread's top-level contribution; unique: a thread is merged once.
    root_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), unique=True)
    #: Where the discussion continues: another top-level contribution of the same key message.
    into_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
