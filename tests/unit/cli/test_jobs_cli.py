"""`roundtable campaigns recompute` queues a job (once, however often asked) and `roundtable
jobs work --once` runs what waits, then stops; mistakes are one line and a non-zero exit."""

from __future__ import annotations

import os

import pytest

from tests.databases import fresh_database_url
from tests.unit.cli.test_cli import run


@pytest.fixture(scope="module")
async def jobs_env(database_url, tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("jobs-cli")
    url = await fresh_database_url(database_url, "jobs_cli", tmp)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp), "SECRET_KEY": "cli-test"}
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "seed").returncode == 0
    return env


def test_a_queued_recomputation_runs_once(jobs_env) -> None:  # type: ignore[no-untyped-def]
    first, again = (
        run(jobs_env, "campaigns", "recompute", "com-2013-292"),
        run(jobs_env, "campaigns", "recompute", "com-2013-292"),
    )
    assert first.returncode == 0 and first.stdout.startswith("job 1 queued")
    assert again.stdout == first.stdout  # asked twice: one job
    worked = run(jobs_env, "jobs", "work", "--once")
    assert worked.returncode == 0, worked.stderr
    assert worked.stdout.strip() == "ran 1 jobs" and "job 1 (campaigns) done" in worked.stderr
    assert run(jobs_env, "jobs", "work", "--once").stdout.strip() == "ran 0 jobs"


def test_mistakes_are_one_line(jobs_env) -> None:  # type: ignore[no-untyped-def]
    missing = run(jobs_env, "campaigns", "recompute", "no-such-consultation")
    assert missing.returncode == 1 and missing.stderr == "roundtable: error: no consultation 'no-such-consultation'\n"
    fast = run(jobs_env, "jobs", "work", "--once", "--poll-seconds", "0")
    assert fast.returncode == 1 and fast.stderr.startswith("roundtable: error: --poll-seconds must be")
