"""The schema comes only from Alembic: upgrade → downgrade → upgrade works, and the
models and the migrations agree (alembic check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url


def alembic(url: str, *args: str, var_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`var_dir`: ROUNDTABLE_VAR_DIR, for migrations that read or write files there."""
    env = {"DATABASE_URL": url, "SECRET_KEY": "migrations-test", "PATH": "/usr/bin:/bin"}
    if var_dir is not None:
        env["ROUNDTABLE_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
    )


async def table_names(url: str) -> set[str]:
    engine = make_engine(url, null_pool=True)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_upgrade_downgrade_upgrade_and_check(database_url, tmp_path):
    url = await fresh_database_url(database_url, "migrations", tmp_path)
    for step in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
        result = alembic(url, *step)
        assert result.returncode == 0, result.stderr
        if step[0] == "upgrade":
            assert {"users", "contributions", "key_messages", "moderation_log"} <= await table_names(url)
    assert await table_names(url) == set()
    assert alembic(url, "upgrade", "head").returncode == 0
    assert "contributions" in await table_names(url)
