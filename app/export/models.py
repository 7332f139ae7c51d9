"""Who exported what, and the files background exports made (kept in the database, so any
machine serves them: nothing lives on one machine's disk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.chunks import ChunkColumns
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


class ExportFile(Base):
    """The file an export job made, and its manifest. Only the person who asked downloads
    it, until it expires (app.export.storage); its bytes are in ExportFileChunk rows."""

    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One file per job: a job taken over after its worker died stores it once.
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    #: Whose it is: the file goes with the person's account.
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    #: JSON-native; served with sorted keys (app.export.manifest.manifest_bytes).
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: After this the file is refused (410) and `roundtable privacy purge` deletes it.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ExportFileChunk(ChunkColumns, Base):
    """A piece of a file's bytes, in order (app.chunks)."""

    __tablename__ = "export_file_chunks"

    export_file_id: Mapped[int] = mapped_column(ForeignKey("export_files.id", ondelete="CASCADE"), primary_key=True)
