"""The job table: what waits, runs, and ended, with its progress, shared by every worker."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, enum_by_value, utcnow


class JobStatus(enum.Enum):
    QUEUED = "queued"
    """Waiting for a worker."""
    RUNNING = "running"
    """Claimed by a worker, which reports its progress."""
    DONE = "done"
    """Finished; `result` says what it did."""
    FAILED = "failed"
    """Stopped by an error; `error` says which."""


#: A job not finished yet: at most one per unique key.
UNFINISHED = "finished_at IS NULL"


class Job(Base):
    """One piece of background work (app.jobs.queue). Its progress lives here, not in a
    worker's memory, so any web worker can show it and any job worker can take it over."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The claim's oldest waiting job of the kinds a worker runs.
        Index("ix_jobs_status_kind_id", "status", "kind", "id"),
        # One unfinished job per key: two moderators asking at once start one recomputation.
        Index(
            "uq_jobs_unfinished_key",
            "unique_key",
            unique=True,
            sqlite_where=text(UNFINISHED),
            postgresql_where=text(UNFINISHED),
        ),
        # The latest job of a key (the page that shows its status).
        Index("ix_jobs_unique_key_id", "unique_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What to run: the name a worker's handlers know it by ("campaigns").
    kind: Mapped[str] = mapped_column(String(40))
    #: JSON-native arguments of the handler.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Jobs with the same key do the same work: while one is unfinished no other is queued.
    unique_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[JobStatus] = mapped_column(
        enum_by_value(JobStatus, "job_status", length=20), default=JobStatus.QUEUED
    )
    #: Percent done, as the handler last reported it.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: How many times a worker claimed it (a job whose worker died is claimed again).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: JSON-native summary of what a finished job did.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Why it failed (the error's type and message; the traceback is in the worker's log).
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When its worker last said it was alive (each progress report): a running job silent
    #: for longer than the lease is taken for abandoned and claimed again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
