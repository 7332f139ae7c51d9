"""SQLite is set up so that an accepted contribution survives a crash."""

from __future__ import annotations

from sqlalchemy import text

from app.db import make_engine


async def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'pragmas.db'}", null_pool=True)
    async with engine.connect() as connection:
        values = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    await engine.dispose()
    assert values == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 5000}
