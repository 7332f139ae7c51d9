"""The benchmark's side door into its database: write a reply (the most common write, so the
next page is built again around it), count contributions, and print the plans of the hot
queries.

    python -m bench.database explain RT2-KM3     # DATABASE_URL from the environment

`explain` serves the key message page (first page, a sorted page, the live endpoint both
ways) in-process, records every SELECT the app sends, and prints the database's plan for
each: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SLUG = "com-2013-292"


#: The visible, named top-level contributions of a key message, oldest first: its first page.
FIRST_PAGE_ROOTS = (
    "SELECT c.id FROM contributions c JOIN key_messages k ON k.id = c.key_message_id"
    " WHERE k.ref = :ref AND c.parent_id IS NULL AND c.status = 'visible' AND c.publication = 'named'"
    " ORDER BY c.created_at, c.id"
)
#: A reply by the thread's author, as the site writes one (the triggers do the rest).
REPLY = (
    "INSERT INTO contributions (key_message_id, author_id, organisation_id, parent_id, thread_root_id, depth,"
    " body_source, body_html, language, status, publication, submission_key, created_at, updated_at,"
    " endorsement_count)"
    " SELECT key_message_id, author_id, organisation_id, id, id, 1, 'A reply from the benchmark.',"
    " '<p>A reply from the benchmark.</p>', language, 'visible', 'named', :key, CURRENT_TIMESTAMP,"
    " CURRENT_TIMESTAMP, 0 FROM contributions WHERE id = :root"
)
BUMP = "UPDATE key_messages SET discussion_version = discussion_version + 1 WHERE ref = :ref"
#: A new position of a person who has none on the key message, at the end of its list (the
#: oldest come first): what changes is the position table, not the threads shown.
POSITION = (
    "INSERT INTO contributions (key_message_id, author_id, depth, position, body_source, body_html, language,"
    " status, publication, submission_key, created_at, updated_at, endorsement_count)"
    " SELECT k.id, u.id, 0, 'oppose', 'A position from the benchmark.', '<p>A position from the benchmark.</p>',"
    " 'en', 'visible', 'named', :key, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0"
    " FROM key_messages k, users u WHERE k.ref = :ref AND u.id = ("
    "SELECT min(p.id) FROM users p WHERE NOT EXISTS (SELECT 1 FROM contributions c WHERE c.key_message_id = k.id"
    " AND c.author_id = p.id AND c.parent_id IS NULL AND c.organisation_id IS NULL AND c.superseded_by_id IS NULL))"
)


class Database:
    """A plain connection, outside the app: SQLite file or PostgreSQL (asyncpg on its own loop)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.first_page_roots: list[int] = []
        self.replies = 0
        if url.startswith("sqlite"):
            self.sqlite: sqlite3.Connection | None = sqlite3.connect(url.split("///", 1)[1])
        else:
            import asyncpg

            self.sqlite = None
            self.loop = asyncio.new_event_loop()
            dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
            self.pg = self.loop.run_until_complete(asyncpg.connect(dsn))

    def reply_on_first_page(self, ref: str) -> None:
        """What the most common write does (seven in ten are replies), in one transaction:
        a reply to one of the threads of the key message's first page (each in turn), and
        the discussion's version moved. The triggers move that thread's version, so the
        next reader renders that thread and the list around the stored others."""
        if not self.first_page_roots:
            self.first_page_roots = [row[0] for row in self._rows(f"{FIRST_PAGE_ROOTS} LIMIT 20", {"ref": ref})]
        self.replies += 1
        root = self.first_page_roots[self.replies % len(self.first_page_roots)]
        key = f"bench-reply-{time.time_ns()}"
        self._in_one_transaction((REPLY, {"key": key, "root": root}), (BUMP, {"ref": ref}))

    def position_at_the_end(self, ref: str) -> None:
        """What a new position does, in one transaction: the row (a person's first position on
        the key message, listed after the first page) and the discussion's version moved; the
        triggers move the position table's version."""
        key = f"bench-position-{time.time_ns()}"
        self._in_one_transaction((POSITION, {"key": key, "ref": ref}), (BUMP, {"ref": ref}))

    def _rows(self, sql: str, values: dict[str, Any]) -> list[Any]:
        if self.sqlite is not None:
            return list(self.sqlite.execute(sql, values))
        return list(self.loop.run_until_complete(self.pg.fetch(*_numbered(sql, values))))

    def _in_one_transaction(self, *statements: tuple[str, dict[str, Any]]) -> None:
        """Statements written with :name parameters, run in one transaction."""
        if self.sqlite is not None:
            for sql, values in statements:
                self.sqlite.execute(sql, values)
            self.sqlite.commit()
            return

        async def write() -> None:
            async with self.pg.transaction():
                for sql, values in statements:
                    await self.pg.execute(*_numbered(sql, values))

        self.loop.run_until_complete(write())

    def count_contributions(self) -> int:
        sql = "SELECT count(*) FROM contributions"
        if self.sqlite is not None:
            return int(self.sqlite.execute(sql).fetchone()[0])
        return int(self.loop.run_until_complete(self.pg.fetchval(sql)))

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        else:
            self.loop.run_until_complete(self.pg.close())
            self.loop.close()


def _numbered(sql: str, values: dict[str, Any]) -> tuple[Any, ...]:
    """asyncpg's form of a statement with :name parameters: $1, $2, ... and the values."""
    for number, name in enumerate(values, 1):
        sql = sql.replace(f":{name}", f"${number}")
    return (sql, *values.values())


@contextmanager
def recorded_selects(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT sent through `engine` while the block runs, with its parameters."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def explain(ref: str) -> None:
    import httpx
    from sqlalchemy import update

    from app.consultation.models import KeyMessage
    from app.db import make_engine, make_sessionmaker
    from app.main import create_app
    from app.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    app = create_app(settings, sessionmaker=make_sessionmaker(engine))
    page = f"/consultations/{SLUG}/messages/{ref}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for url in (page, f"{page}?sort=newest", f"{page}?sort=endorsed"):
            await client.get(url)  # warm the caches
        async with engine.begin() as connection:  # what a write does: the stored page is stale
            await connection.execute(
                update(KeyMessage)
                .where(KeyMessage.ref == ref)
                .values(discussion_version=KeyMessage.discussion_version + 1)
            )
        with recorded_selects(engine) as seen:
            fresh = await client.get(page)
            await client.get(f"{page}?sort=endorsed")
            poller = fresh.text.split('id="live-poller" data-hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            await client.get(poller)  # nothing new: 204
            version, after = (int(part.split("=")[1]) for part in poller.split("?", 1)[1].split("&")[:2])
            await client.get(poller.split("?")[0] + f"?v={version - 1}&after={after - 100}")  # news
    async with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        for statement, parameters in _distinct(seen):
            prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)" if postgres else "EXPLAIN QUERY PLAN"
            started = time.perf_counter()
            plan = await connection.exec_driver_sql(f"{prefix} {statement}", parameters)
            elapsed = (time.perf_counter() - started) * 1000
            print("=" * 100, f"\n{' '.join(statement.split())[:400]}\n-- {elapsed:.1f} ms")
            for row in plan:
                print("   ", " | ".join(str(value) for value in row))
    await engine.dispose()


def _distinct(seen: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    unique: dict[str, Any] = {}
    for statement, parameters in seen:
        unique.setdefault(statement, parameters)
    return list(unique.items())


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "explain":
        sys.exit(__doc__)
    asyncio.run(explain(sys.argv[2]))
