"""The moderation log (one row per real decision, never edited), readers' reports, and the
queue of what waits for a moderator's decision."""

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
    LOCK = "lock"  #: the contribution's thread takes no new replies
    UNLOCK = "unlock"  #: the thread takes replies again
    DUPLICATE = "duplicate"  #: marked a duplicate of another contribution (details: its id)


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
    complaint under the DSA, article 20): once per decision, decided by another moderator."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    #: The decision appealed; unique: a decision is appealed once.
    decision_id: Mapped[int] = mapped_column(ForeignKey("moderation_log.id", ondelete="CASCADE"), unique=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("moderation_queue.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    decision: Mapped[ModerationLogEntry] = relationship()
