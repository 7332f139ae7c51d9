"""Queueing, claiming and closing jobs. Every step is one statement on the jobs table, so
several workers (processes, machines) share the queue with no memory of their own.

Claiming is safe with several workers: on PostgreSQL the oldest waiting job is locked with
`FOR UPDATE SKIP LOCKED` (a second worker takes the next one instead of waiting), and on
both databases the UPDATE repeats the condition that the job is still waiting, so of two
workers that chose the same job only one changes it (SQLite's writers queue for the lock;
the second finds it taken and claims nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import insert_into, utcnow
from app.jobs.models import Job, JobStatus

#: A running job whose worker has not reported for this long is taken for abandoned (the
#: worker died or its machine stopped) and may be claimed again. Handlers report progress
#: far more often than this.
LEASE = timedelta(minutes=10)
#: Claims of one job at most: a job that kills its worker every time stops being retried.
MAX_ATTEMPTS = 3
#: The longest error message kept.
MAX_ERROR_CHARS = 2000


async def enqueue(
    db: AsyncSession, kind: str, params: dict[str, Any], *, unique_key: str, requested_by_id: int | None = None
) -> Job:
    """Queue a job, unless one with the same key is unfinished: then that one is returned.
    Two requests at once queue one job (INSERT … ON CONFLICT on the unfinished jobs' unique
    index, on both databases)."""
    statement = insert_into(db, Job).values(
        kind=kind,
        params=params,
        unique_key=unique_key,
        status=JobStatus.QUEUED,
        progress=0,
        attempts=0,
        requested_by_id=requested_by_id,
        created_at=utcnow(),
    )
    await db.execute(
        statement.on_conflict_do_nothing(index_elements=[Job.unique_key], index_where=Job.finished_at.is_(None))
    )
    job = await db.scalar(select(Job).where(Job.unique_key == unique_key, Job.finished_at.is_(None)))
    assert job is not None  # inserted now, or the unfinished one that prevented it
    return job


def _claimable(now: datetime) -> Any:
    abandoned = and_(Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - LEASE, Job.attempts < MAX_ATTEMPTS)
    return or_(Job.status == JobStatus.QUEUED, abandoned)


#: Why a job that stopped its worker every time failed.
ABANDONED_ERROR = f"Its worker stopped while running it, {MAX_ATTEMPTS} times: it is not retried."


async def fail_abandoned(db: AsyncSession) -> int:
    """Fail the running jobs that no worker will take over (silent past the lease after their
    last claim), so their pages say so instead of showing them running for ever."""
    now = utcnow()
    result = await db.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - LEASE, Job.attempts >= MAX_ATTEMPTS)
        .values(status=JobStatus.FAILED, error=ABANDONED_ERROR, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_next(db: AsyncSession, kinds: Sequence[str]) -> Job | None:
    """Mark the oldest claimable job of `kinds` running and return it (None when there is
    none). The caller commits at once, so other workers see the claim."""
    now = utcnow()
    oldest = (
        select(Job.id)
        .where(_claimable(now), Job.kind.in_(kinds))
        .order_by(Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = await db.scalar(
        update(Job)
        .where(Job.id == oldest, _claimable(now))
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1, progress=0)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return None if claimed is None else await db.get(Job, claimed, populate_existing=True)


async def report_progress(db: AsyncSession, job_id: int, percent: int) -> None:
    """Record progress (0-100) and that the worker is alive."""
    await db.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(progress=max(0, min(100, percent)), heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def hand_back(db: AsyncSession, job_id: int, *, attempt: int) -> None:
    """Put a running job back in the queue at once, as if its claim had not happened: its
    worker is stopping (Ctrl-C, systemd's stop, a deploy), which is no fault of the job, so
    the claim does not count against MAX_ATTEMPTS, and the next worker takes it now rather
    than after LEASE. Only the claim `attempt` is handed back: a worker that hung past the
    lease leaves alone the job another worker has taken over since."""
    await db.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
        .values(status=JobStatus.QUEUED, attempts=attempt - 1, progress=0, started_at=None, heartbeat_at=None)
        .execution_options(synchronize_session=False)
    )


async def finish(db: AsyncSession, job_id: int, result: dict[str, Any] | None) -> None:
    await db.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.DONE, progress=100, result=result, finished_at=utcnow(), heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def fail(db: AsyncSession, job_id: int, error: BaseException) -> None:
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    await db.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.FAILED, error=message, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def latest_job(db: AsyncSession, unique_key: str) -> Job | None:
    """The newest job of a key, finished or not: what a status fragment shows."""
    newest = select(Job).where(Job.unique_key == unique_key).order_by(Job.id.desc()).limit(1)
    # Read afresh: a worker changes it from elsewhere while a session may hold it.
    return await db.scalar(newest.execution_options(populate_existing=True))
