"""SQLite is set up so that an accepted contribution survives a crash, and so that writes
that meet queue for the lock instead of failing."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import make_engine, writing


async def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'pragmas.db'}", null_pool=True)
    async with engine.connect() as connection:
        values = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    await engine.dispose()
    assert values == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 30000}


@pytest.fixture
async def sqlite_engine(tmp_path) -> AsyncEngine:  # type: ignore[misc]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'locks.db'}", null_pool=True, busy_timeout_seconds=5)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE posts (body TEXT)"))
    yield engine
    await engine.dispose()


async def test_a_deferred_read_then_write_fails_at_once_when_another_wrote_meanwhile(sqlite_engine):
    """Why writes begin IMMEDIATE: the busy timeout cannot help a stale reader."""
    async with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
        await first.execute(text("SELECT count(*) FROM posts"))
        await second.execute(text("SELECT count(*) FROM posts"))
        await first.execute(text("INSERT INTO posts VALUES ('first')"))
        await first.commit()
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            await second.execute(text("INSERT INTO posts VALUES ('second')"))
        assert time.monotonic() - started < 1  # no waiting: the 5 s timeout never applied


async def test_writing_transactions_queue_for_the_lock_and_both_are_saved(sqlite_engine):
    writer = writing(sqlite_engine)
    async with writer.connect() as first, writer.connect() as second:
        await first.execute(text("SELECT count(*) FROM posts"))  # BEGIN IMMEDIATE: holds the lock

        async def second_post() -> None:
            await second.execute(text("SELECT count(*) FROM posts"))  # waits for the lock here
            await second.execute(text("INSERT INTO posts VALUES ('second')"))
            await second.commit()

        waiting = asyncio.create_task(second_post())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.execute(text("INSERT INTO posts VALUES ('first')"))
        await first.commit()
        await asyncio.wait_for(waiting, timeout=5)
    async with sqlite_engine.connect() as reader:
        assert (await reader.execute(text("SELECT body FROM posts ORDER BY body"))).scalars().all() == [
            "first",
            "second",
        ]


async def test_readers_do_not_take_the_write_lock(sqlite_engine):
    async with sqlite_engine.connect() as reader, writing(sqlite_engine).connect() as writer:
        await reader.execute(text("SELECT count(*) FROM posts"))  # a plain BEGIN: no lock
        await writer.execute(text("INSERT INTO posts VALUES ('while reading')"))
        await writer.commit()
        # WAL: the reader's transaction still sees its snapshot, without blocking anyone.
        assert (await reader.execute(text("SELECT count(*) FROM posts"))).scalar() == 0


async def _checkouts(engine: AsyncEngine, times: int) -> None:
    for _ in range(times):
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1


@pytest.mark.parametrize(("idle_after", "pings"), [(3600.0, 0), (0.0, 2)])
async def test_a_pooled_connection_is_pinged_only_after_lying_idle(database_url, monkeypatch, idle_after, pings):
    """A busy site reuses its connections at once: no round trip to check them first."""
    engine = make_engine(database_url, ping_when_idle_seconds=idle_after)
    pinged: list[object] = []
    real_ping = engine.sync_engine.dialect.do_ping
    monkeypatch.setattr(engine.sync_engine.dialect, "do_ping", lambda c: pinged.append(c) or real_ping(c))
    try:
        await _checkouts(engine, 3)  # the first opens the connection: nothing to check yet
    finally:
        await engine.dispose()
    assert len(pinged) == pings


@pytest.mark.database("postgresql")  # a server that cuts connections
async def test_a_connection_cut_while_idle_is_replaced_unseen(database_url):
    engine = make_engine(database_url, ping_when_idle_seconds=0.0)
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        async with make_engine(database_url, null_pool=True).connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.1)
        async with engine.connect() as connection:  # the cut one is pinged, found dead, replaced
            assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar() != pid
    finally:
        await engine.dispose()


@pytest.mark.database("postgresql")  # SQLite has no plan cache to configure
async def test_postgresql_plans_each_statement_for_its_own_values(database_url):
    """Prepared statements keep custom plans (make_engine): a generic plan ignores the
    LIMIT and the statistics of the values asked for. SQLite plans every statement anyway."""
    engine = make_engine(database_url, null_pool=True)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    finally:
        await engine.dispose()
