"""Who exported what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ExportRecord(Base):
    __tablename__ = "export_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: NULL when exported from the command line by an operator.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))  #: "web" or "cli"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
