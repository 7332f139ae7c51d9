"""The worker loop behind `roundtable worker`: claim a job, run its handler, record how it
ended, repeat. Handlers are async functions given a JobRun; their CPU-heavy part goes to a
thread (`anyio.to_thread.run_sync`) and reports progress through `JobRun.reporter`.

The loop never holds a transaction open while a handler computes: on SQLite an open write
transaction would lock the whole site out. Handlers read in one session, compute, and
write in another (`JobRun.writing_sessions`)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from anyio import from_thread
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import make_sessionmaker, writing
from app.jobs.queue import claim_next, fail, fail_abandoned, finish, hand_back, report_progress

logger = logging.getLogger(__name__)


@dataclass
class JobRun:
    """One claimed job as its handler sees it."""

    job_id: int
    params: dict[str, Any]
    #: Sessions for reading (on SQLite they take no write lock).
    sessions: async_sessionmaker[AsyncSession]
    #: Sessions for writing (on SQLite they take the write lock as they begin).
    writing_sessions: async_sessionmaker[AsyncSession]
    #: Which claim of the job this is (1 for the first).
    attempt: int = 1
    _last_percent: int = field(default=-1, repr=False)

    async def report(self, share: float) -> None:
        """Record the share done (0 to 1) in the job's row, committed at once, when its
        percentage moved: the page polling the job reads it from there."""
        percent = int(share * 100)
        if percent == self._last_percent:
            return
        self._last_percent = percent
        async with self.writing_sessions() as db:
            await report_progress(db, self.job_id, percent)
            await db.commit()

    def reporter(self) -> Callable[[float], None]:
        """`report` for code running in a worker thread (anyio.to_thread.run_sync)."""
        return lambda share: from_thread.run(self.report, share)


Handler = Callable[[JobRun], Awaitable[dict[str, Any] | None]]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_one(
    sessions: async_sessionmaker[AsyncSession],
    writing_sessions: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, Handler],
) -> bool:
    """Claim one job of a kind in `handlers` and run it; False when none was waiting."""
    async with writing_sessions() as db:
        await fail_abandoned(db)
        job = await claim_next(db, list(handlers))
        await db.commit()
        if job is None:
            return False
        run = JobRun(job.id, dict(job.params), sessions, writing_sessions, job.attempts)
        kind = job.kind
    logger.info("job %s (%s) claimed by %s", run.job_id, kind, worker_name())
    try:
        result = await handlers[kind](run)
    except asyncio.CancelledError:
        # The worker is being stopped: the job goes back to the queue for the next worker. The
        # shield lets this write finish even if a second stop signal comes meanwhile.
        logger.info("job %s (%s) handed back: the worker is stopping", run.job_id, kind)
        await asyncio.shield(_hand_back(writing_sessions, run))
        raise
    except Exception as error:
        logger.exception("job %s (%s) failed", run.job_id, kind)
        async with writing_sessions() as db:
            await fail(db, run.job_id, error)
            await db.commit()
        return True
    async with writing_sessions() as db:
        await finish(db, run.job_id, result)
        await db.commit()
    logger.info("job %s (%s) done: %s", run.job_id, kind, result)
    return True


async def _hand_back(writing_sessions: async_sessionmaker[AsyncSession], run: JobRun) -> None:
    async with writing_sessions() as db:
        await hand_back(db, run.job_id, attempt=run.attempt)
        await db.commit()


async def work(
    engine: AsyncEngine, handlers: Mapping[str, Handler], *, once: bool = False, poll_seconds: float = 5.0
) -> int:
    """Run jobs until stopped; with `once`, until none is waiting. Returns how many ran."""
    sessions, writing_sessions = make_sessionmaker(engine), make_sessionmaker(writing(engine))
    ran = 0
    while True:
        if await run_one(sessions, writing_sessions, handlers):
            ran += 1
            continue
        if once:
            return ran
        await asyncio.sleep(poll_seconds)
