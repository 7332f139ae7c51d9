"""`roundtable worker --once` (the issue's name; `jobs work` stays) makes a queued export in
a process of its own and stores the file its manifest describes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.accounts.models import User
from app.consolidation.selection import Selection
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.export.jobs import export_job, request_export
from app.export.storage import chunks_of
from app.jobs.models import Job, JobStatus
from app.settings import PROJECT_ROOT
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.unit.cli.test_cli import ROUNDTABLE, run


@pytest.fixture(scope="module")
async def worker_env(database_url, tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("worker-cli")
    url = await fresh_database_url(database_url, "worker_cli", tmp)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ROUNDTABLE_VAR_DIR": str(tmp),
        "SECRET_KEY": "cli-test",
        # The command runs this checkout's code, not the one the environment was installed from.
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "seed").returncode == 0
    created = run(
        env, "users", "create", "--email", "neg@example.org", "--password", "long enough pass", "--name", "Nils"
    )
    assert created.returncode == 0, created.stderr
    return env, url


async def queue_csv_export(engine: AsyncEngine, selection: Selection) -> int:
    """The negotiator asks for a CSV export of the seed consultation; the job's id."""
    async with make_sessionmaker(engine)() as db:
        consultation = await consultation_by_slug(db, SEED_SLUG)
        user_id = await db.scalar(select(User.id).where(User.email == "neg@example.org"))
        assert consultation is not None and user_id is not None
        job = await request_export(db, consultation, "csv", selection, user_id)
        await db.commit()
        return job.id


async def test_the_worker_makes_a_queued_export_and_the_old_name_still_works(worker_env) -> None:  # type: ignore[no-untyped-def]
    env, url = worker_env
    engine = make_engine(url, null_pool=True)
    try:
        job_id = await queue_csv_export(engine, Selection(roundtable="RT2"))

        worked = run(env, "worker", "--once")
        assert worked.returncode == 0, worked.stderr
        assert worked.stdout.strip() == "ran 1 jobs" and f"job {job_id} (export) done" in worked.stderr

        async with make_sessionmaker(engine)() as db:
            found = await export_job(db, job_id)
            assert found is not None and found.job.status is JobStatus.DONE and found.file is not None
            content = b"".join([chunk async for chunk in chunks_of(db, found.file.id)])
            assert content.startswith("\ufeffid,thread_id,parent_id".encode())
            [described] = found.file.manifest["files"]
            assert described["sha256"] == hashlib.sha256(content).hexdigest() == found.file.sha256
    finally:
        await engine.dispose()
    again = run(env, "jobs", "work", "--once")
    assert again.returncode == 0 and again.stdout.strip() == "ran 0 jobs"
    assert "worker" in run(env, "--help").stdout


async def test_a_worker_stopped_by_sigterm_in_the_middle_of_an_export_hands_it_back(worker_env) -> None:  # type: ignore[no-untyped-def]
    """systemd stops the worker with a signal during a deploy: the export it was making goes
    back to the queue at once (not after the 10-minute lease), and the next worker makes it."""
    env, url = worker_env
    made = run(env, "demo-data", "--contributions", "10000", "--random-seed", "7")
    assert made.returncode == 0, made.stderr
    engine = make_engine(url, null_pool=True)
    try:
        job_id = await queue_csv_export(engine, Selection())

        worker = await asyncio.create_subprocess_exec(
            str(ROUNDTABLE),
            "worker",
            "--poll-seconds",
            "0.2",
            env=env,
            cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            progress = 0
            for _ in range(600):  # the first batch of rows written: the export is under way
                async with make_sessionmaker(engine)() as db:
                    progress = await db.scalar(select(Job.progress).where(Job.id == job_id)) or 0
                if progress > 0:
                    break
                await asyncio.sleep(0.05)
            assert progress > 0, "the worker never started the export"
            worker.send_signal(signal.SIGTERM)
            _out, errors = await asyncio.wait_for(worker.communicate(), 60)
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
        err = errors.decode()
        assert worker.returncode == 0 and "worker stopped" in err and f"job {job_id} (export) handed back" in err

        async with make_sessionmaker(engine)() as db:
            handed_back = await db.get_one(Job, job_id)
            assert (handed_back.status, handed_back.attempts, handed_back.progress) == (JobStatus.QUEUED, 0, 0)
        worked = run(env, "worker", "--once")
        assert worked.returncode == 0 and worked.stdout.strip() == "ran 1 jobs", worked.stderr
        async with make_sessionmaker(engine)() as db:
            found = await export_job(db, job_id)
            assert found is not None and found.job.status is JobStatus.DONE and found.job.attempts == 1
            assert found.file is not None and found.file.manifest["counts"]["contributions"] >= 10000
    finally:
        await engine.dispose()
