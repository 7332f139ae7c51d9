"""`roundtable worker --once` (the issue's name; `jobs work` stays) makes a queued export in
a process of its own and stores the file its manifest describes."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.consolidation.selection import Selection
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.export.jobs import export_job, request_export
from app.export.storage import chunks_of
from app.jobs.models import JobStatus
from app.settings import PROJECT_ROOT
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.unit.cli.test_cli import run


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


async def test_the_worker_makes_a_queued_export_and_the_old_name_still_works(worker_env) -> None:  # type: ignore[no-untyped-def]
    env, url = worker_env
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SEED_SLUG)
            user_id = await db.scalar(select(User.id).where(User.email == "neg@example.org"))
            assert consultation is not None and user_id is not None
            job = await request_export(db, consultation, "csv", Selection(roundtable="RT2"), user_id)
            await db.commit()
            job_id = job.id

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
