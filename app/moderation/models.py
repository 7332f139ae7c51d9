"""The moderation log: one row per real status transition, never edited."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, enum_by_value, utcnow


class ModerationAction(enum.Enum):
    """A transition of a contribution's moderation status."""

    HIDE = "hide"
    RESTORE = "restore"
    RETAG = "retag"  #: a moderator corrected the topics; details hold before and after


class ModerationLogEntry(Base):
    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[ModerationAction] = mapped_column(enum_by_value(ModerationAction, "moderation_action", length=20))
    #: Audit tag in the form source:subject:action.
    tag: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    #: What changed, where the action alone does not say (retag: {"before": [...], "after": [...]}).
    details: Mapped[dict[str, object] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    moderator: Mapped[User] = relationship()
