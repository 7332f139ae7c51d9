"""`roundtable consultation schedule` on a real database: instants in, Brussels time out,
one clear line and exit code 1 for what cannot be meant, and `seed` leaves the schedule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url

ROUNDTABLE = str(Path(sys.executable).parent / "roundtable")
SLUG = "com-2013-292"


@pytest.fixture(scope="module")
async def cli_env(database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schedule")
    url = await fresh_database_url(database_url, "schedule", tmp)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp), "SECRET_KEY": "cli-test"}
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "seed").returncode == 0
    return env


def run(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ROUNDTABLE, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_schedule_sets_instants_and_says_them_in_brussels_time(cli_env):
    done = run(
        cli_env, "consultation", "schedule", SLUG, "--opens", "2020-01-01T09:00Z", "--closes", "2099-07-01T12:00+02:00"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"consultation {SLUG}: open; opens January 1, 2020, 10:00 CET (UTC+01:00); "
        "closes July 1, 2099, 12:00 CEST (UTC+02:00)"
    )
    # Only the closing changes; the opening stays.
    closed = run(cli_env, "consultation", "schedule", SLUG, "--closes", "2021-01-01T00:00Z")
    assert closed.returncode == 0 and closed.stdout.startswith(f"consultation {SLUG}: closed; opens January 1, 2020")

    # Reloading the seed (every `make run`) does not reopen it: it says so and leaves it.
    seeded = run(cli_env, "seed")
    assert seeded.returncode == 0 and "unchanged" in seeded.stdout
    assert "note: the database keeps its schedule" in seeded.stdout
    assert f"roundtable consultation schedule {SLUG}" in seeded.stdout

    reopened = run(cli_env, "consultation", "schedule", SLUG, "--opens", "none", "--closes", "none")
    assert reopened.returncode == 0
    assert reopened.stdout.strip() == (
        f"consultation {SLUG}: open; opens at once (no opening instant); closes never (no closing instant)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--closes", "30/09/2013"], "--closes: '30/09/2013' is not an ISO 8601 date and time"),
        (["--closes", "2026-10-01T12:00"], "--closes: '2026-10-01T12:00' has no UTC offset; add one"),
        (
            ["--opens", "2026-10-01T12:00+02:00", "--closes", "2026-10-01T10:00Z"],
            "the closing instant (2026-10-01T10:00:00+00:00) must come after the opening instant "
            "(2026-10-01T10:00:00+00:00)",
        ),
        ([], "give --opens, --closes or both"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_code_1(cli_env, args, message):
    refused = run(cli_env, "consultation", "schedule", SLUG, *args)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"roundtable: error: {message}")
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr


def test_an_unknown_slug_names_the_known_ones(cli_env):
    refused = run(cli_env, "consultation", "schedule", "com-2099-1", "--closes", "none")
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"roundtable: error: no consultation with the slug 'com-2099-1' (known: {SLUG})"


def test_a_missing_slug_is_a_usage_error():
    refused = subprocess.run([ROUNDTABLE, "consultation", "schedule"], capture_output=True, text=True)
    assert refused.returncode == 2 and "the following arguments are required: slug" in refused.stderr
