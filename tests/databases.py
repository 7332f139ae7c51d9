"""Scratch databases next to the test database: a fresh SQLite file, or a fresh PostgreSQL
database on the same server, for tests that must own a whole database.

Pass the `database_url` fixture as `base_url`: under pytest-xdist it is the worker's own
database (`<name>_gw0`), so a scratch database (`<name>_gw0_<suffix>`) is never shared by
two workers. tests/conftest.py makes the worker databases with this function too."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


async def fresh_database_url(base_url: str, suffix: str, tmp_dir: Path) -> str:
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = tmp_dir / f"{suffix}.db"
        path.unlink(missing_ok=True)
        return str(url.set(database=str(path)))
    name = f"{url.database}_{suffix}"
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database="postgres"
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return url.set(database=name).render_as_string(hide_password=False)
