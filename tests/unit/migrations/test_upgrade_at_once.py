"""Machines that start together on a fresh database upgrade it once (issue 14): two
`roundtable db upgrade` at the same moment both succeed, and the schema is built once. Without
the lock in migrations/env.py, PostgreSQL failed the second with UniqueViolation on pg_type."""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import text

from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url

ROUNDTABLE = str(PROJECT_ROOT / ".venv" / "bin" / "roundtable")


async def upgrade(url: str, var_dir: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "at-once-test", "ROUNDTABLE_VAR_DIR": var_dir}
    process = await asyncio.create_subprocess_exec(
        ROUNDTABLE, "db", "upgrade", env=env, cwd=PROJECT_ROOT, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    return process.returncode or 0, stderr.decode()


async def test_two_machines_upgrading_a_fresh_database_at_once_both_succeed(database_url, tmp_path):
    url = await fresh_database_url(database_url, "at_once", tmp_path)
    results = await asyncio.gather(*(upgrade(url, str(tmp_path / f"machine{n}")) for n in range(3)))
    assert [code for code, _ in results] == [0, 0, 0], "\n\n".join(err[-2000:] for _, err in results)
    # Only one of them ran the migrations; the others found the schema current.
    assert sum("Running upgrade  -> " in err for _, err in results) == 1
    engine = make_engine(url, null_pool=True)
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
            assert len(versions) == 1
            assert (await connection.execute(text("SELECT count(*) FROM key_messages"))).scalar_one() == 0
    finally:
        await engine.dispose()
