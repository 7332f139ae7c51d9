"""The job queue (app.jobs): one unfinished job per key, claims that never hand one job to two
workers, abandoned jobs taken over, failures recorded, progress kept in the database."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest
from anyio import to_thread
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker, utcnow, writing
from app.jobs.models import Job, JobStatus
from app.jobs.queue import LEASE, MAX_ATTEMPTS, claim_next, enqueue, finish, hand_back, latest_job
from app.jobs.worker import JobRun, run_one, work
from tests.conftest import _sessionmaker, run_alembic
from tests.conftest import reset_database as empty
from tests.databases import fresh_database_url

KIND = "test"


async def test_asking_twice_queues_one_job_until_it_is_finished(db: AsyncSession) -> None:
    first = await enqueue(db, KIND, {"n": 1}, unique_key="test:1")
    again = await enqueue(db, KIND, {"n": 2}, unique_key="test:1")
    other = await enqueue(db, KIND, {"n": 3}, unique_key="test:2")
    assert again.id == first.id and again.params == {"n": 1} and other.id != first.id
    await finish(db, first.id, {"ok": True})
    later = await enqueue(db, KIND, {"n": 4}, unique_key="test:1")
    assert later.id not in (first.id, other.id) and later.status is JobStatus.QUEUED
    assert (await latest_job(db, "test:1")).id == later.id  # type: ignore[union-attr]


async def test_a_claim_takes_the_oldest_waiting_job_of_its_kinds_once(db: AsyncSession) -> None:
    other_kind = await enqueue(db, "other", {}, unique_key="other:1")
    first = await enqueue(db, KIND, {}, unique_key="test:1")
    second = await enqueue(db, KIND, {}, unique_key="test:2")
    claimed = await claim_next(db, [KIND])
    assert claimed is not None and claimed.id == first.id
    assert claimed.status is JobStatus.RUNNING and claimed.attempts == 1 and claimed.started_at is not None
    assert (await claim_next(db, [KIND])).id == second.id  # type: ignore[union-attr]
    assert await claim_next(db, [KIND]) is None
    assert (await db.get_one(Job, other_kind.id, populate_existing=True)).status is JobStatus.QUEUED


async def test_a_job_whose_worker_went_silent_is_claimed_again_a_few_times(db: AsyncSession) -> None:
    job = await enqueue(db, KIND, {}, unique_key="test:1")
    assert (await claim_next(db, [KIND])).id == job.id  # type: ignore[union-attr]
    assert await claim_next(db, [KIND]) is None  # its worker is alive
    for attempt in range(2, MAX_ATTEMPTS + 1):
        await db.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - LEASE - timedelta(1)))
        reclaimed = await claim_next(db, [KIND])
        assert reclaimed is not None and reclaimed.attempts == attempt
    await db.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - LEASE - timedelta(1)))
    assert await claim_next(db, [KIND]) is None  # it killed its worker every time


async def test_the_worker_records_results_failures_and_progress_from_its_thread(db, connection) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []

    async def counting(run: JobRun) -> dict[str, Any]:
        def heavy() -> int:
            report = run.reporter()
            for share in (0.25, 0.5):
                report(share)
                seen.append(threading.get_ident())
            return 42

        answer = await to_thread.run_sync(heavy)
        async with run.sessions() as reading:
            progress = await reading.scalar(select(Job.progress).where(Job.id == run.job_id))
        return {"answer": answer, "progress_seen": progress}

    async def failing(run: JobRun) -> None:
        raise ValueError("no such consultation: " + "x" * 5000)

    done = await enqueue(db, "count", {}, unique_key="count:1")
    failed = await enqueue(db, "fail", {}, unique_key="fail:1")
    await db.commit()
    sessions = _sessionmaker(connection)
    handlers = {"count": counting, "fail": failing}
    assert await run_one(sessions, sessions, handlers) and await run_one(sessions, sessions, handlers)
    assert not await run_one(sessions, sessions, handlers)
    assert seen and threading.get_ident() not in seen  # the heavy part ran off the loop
    done = await db.get_one(Job, done.id, populate_existing=True)
    assert done.status is JobStatus.DONE and done.result == {"answer": 42, "progress_seen": 50}
    assert done.progress == 100 and done.finished_at is not None
    failed = await db.get_one(Job, failed.id, populate_existing=True)
    assert failed.status is JobStatus.FAILED and failed.finished_at is not None
    assert (
        failed.error is not None
        and failed.error.startswith("ValueError: no such consultation")
        and len(failed.error) == 2000
    )


@pytest.fixture
async def own_engine(database_url, tmp_path):  # type: ignore[no-untyped-def]
    """A database of its own: workers commit, each on its own connection."""
    url = await fresh_database_url(database_url, "job_queue", tmp_path)
    engine = make_engine(url, null_pool=True)
    await empty(engine)
    run_alembic(url, "upgrade", "head")
    yield engine
    await engine.dispose()


async def test_two_workers_at_once_never_run_one_job_twice(own_engine) -> None:  # type: ignore[no-untyped-def]
    async with make_sessionmaker(own_engine)() as db:
        for n in range(8):
            await enqueue(db, KIND, {"n": n}, unique_key=f"test:{n}")
        await db.commit()
    ran: list[tuple[str, int]] = []

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def run(job: JobRun) -> dict[str, Any]:
            ran.append((name, job.params["n"]))
            await asyncio.sleep(0.01)  # the other worker claims meanwhile
            return {"by": name}

        return run

    counts = await asyncio.gather(
        work(own_engine, {KIND: handler("a")}, once=True), work(own_engine, {KIND: handler("b")}, once=True)
    )
    assert sum(counts) == 8
    assert sorted(n for _, n in ran) == list(range(8))
    async with make_sessionmaker(own_engine)() as db:
        jobs = list(await db.scalars(select(Job)))
        assert {job.status for job in jobs} == {JobStatus.DONE} and {job.attempts for job in jobs} == {1}


async def test_two_claims_of_the_one_waiting_job_at_once_give_it_to_one(own_engine) -> None:  # type: ignore[no-untyped-def]
    async with make_sessionmaker(own_engine)() as db:
        await enqueue(db, KIND, {}, unique_key="test:1")
        await db.commit()

    async def claim() -> int | None:
        async with make_sessionmaker(writing(own_engine))() as db:
            job = await claim_next(db, [KIND])
            await db.commit()
            return None if job is None else job.id

    results = await asyncio.gather(*(claim() for _ in range(4)))
    assert len([result for result in results if result is not None]) == 1


async def test_two_moderators_asking_at_once_queue_one_job(own_engine) -> None:  # type: ignore[no-untyped-def]
    async def ask(requested_by: int | None) -> int:
        async with make_sessionmaker(writing(own_engine))() as db:
            job = await enqueue(db, KIND, {}, unique_key="campaigns:1", requested_by_id=requested_by)
            await db.commit()
            return job.id

    ids = await asyncio.gather(ask(None), ask(None), ask(None))
    assert len(set(ids)) == 1
    async with make_sessionmaker(own_engine)() as db:
        assert len(list(await db.scalars(select(Job)))) == 1


async def test_a_worker_stopped_in_the_middle_of_a_job_hands_it_back_at_once(own_engine) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C, systemd's stop or a deploy cancels the worker's task: the job goes back to the
    queue for the next worker now, not after the lease, and the stop is not counted against the
    job's attempts (it was not the job's fault)."""
    async with make_sessionmaker(own_engine)() as db:
        job_id = (await enqueue(db, KIND, {}, unique_key="test:stopped")).id
        await db.commit()
    started = asyncio.Event()

    async def endless(run: JobRun) -> None:
        await run.report(0.4)
        started.set()
        await asyncio.Event().wait()

    worker = asyncio.create_task(work(own_engine, {KIND: endless}, poll_seconds=0.05))
    await asyncio.wait_for(started.wait(), 30)
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    async with make_sessionmaker(own_engine)() as db:
        job = await db.get_one(Job, job_id)
        assert (job.status, job.attempts, job.progress, job.started_at) == (JobStatus.QUEUED, 0, 0, None)

    async def quick(run: JobRun) -> dict[str, Any]:
        return {"attempt": "next worker"}

    assert await work(own_engine, {KIND: quick}, once=True) == 1
    async with make_sessionmaker(own_engine)() as db:
        job = await db.get_one(Job, job_id)
        assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 1, {"attempt": "next worker"})


async def test_handing_back_leaves_a_job_another_worker_has_taken_over(db: AsyncSession) -> None:
    """A worker that hung past the lease and is then stopped must not put back in the queue
    the job another worker has claimed since."""
    job = await enqueue(db, KIND, {}, unique_key="test:taken-over")
    first = await claim_next(db, [KIND])
    assert first is not None and first.attempts == 1
    await db.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - LEASE - timedelta(1)))
    second = await claim_next(db, [KIND])
    assert second is not None and second.attempts == 2
    await hand_back(db, job.id, attempt=1)
    again = await db.get_one(Job, job.id, populate_existing=True)
    assert (again.status, again.attempts) == (JobStatus.RUNNING, 2)
    await hand_back(db, job.id, attempt=2)
    again = await db.get_one(Job, job.id, populate_existing=True)
    assert (again.status, again.attempts) == (JobStatus.QUEUED, 1)
