"""Bulk writes for the demo data: ids reserved ahead, rows sent by COPY (PostgreSQL) or
executemany (SQLite) on the session's own connection, inside its transaction.

Knowing the ids before inserting lets a reply name its parent and thread without a round
trip per batch (INSERT … RETURNING managed about 1,500 rows a second); COPY and executemany
still fire the tables' triggers and check every constraint. Foreign keys are checked per
row, or, for a superuser's COPY of the generator's tables, once per key
(app.demo.foreign_keys).

Values go through the same bind processors SQLAlchemy would apply (enums to their stored
value, datetimes to SQLite's text form), so rows read back exactly as ORM-written ones."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Enum, Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.foreign_keys import Sent, checked_per_key, keys_checked_per_row, watched

CHUNK = 2000  #: rows processed (and on SQLite, inserted) at a time: memory stays bounded
SQLITE_CACHE_KIB = 256 * 1024  #: SQLite's page cache while loading


@asynccontextmanager
async def page_cache_for_loads(db: AsyncSession) -> AsyncIterator[None]:
    """SQLite keeps 2 MB of pages per connection by default: loading contributions (14
    indexes) then reads and writes the same pages over and over. Up to SQLITE_CACHE_KIB
    (taken as pages are touched) took a fifth off the load's CPU time; the connection's own
    size is restored after. PostgreSQL's cache is the server's shared buffers."""
    if (await db.connection()).dialect.name != "sqlite":
        yield
        return
    before = int(await db.scalar(text("PRAGMA cache_size")) or 0)
    await db.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
    try:
        yield
    finally:
        await db.execute(text(f"PRAGMA cache_size = {before}"))


async def reserve_ids(db: AsyncSession, table: Table, count: int) -> list[int]:
    """`count` increasing ids no other writer will use.

    PostgreSQL: drawn from the table's sequence, so the site may post meanwhile (its ids
    then fall between ours). SQLite: the ids after the largest one; the caller must already
    hold the write lock (have written in this transaction, or begun IMMEDIATE) so that no
    one else inserts before it does."""
    if count == 0:
        return []
    if (await db.connection()).dialect.name == "postgresql":
        drawn = await db.scalar(_DRAW_IDS, {"table": table.name, "count": count})
        return sorted(drawn)
    largest = int(await db.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
    return list(range(largest + 1, largest + 1 + count))


async def insert_rows(
    db: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    keys_at_once: bool = False,
) -> int:
    """Insert `rows` (tuples of `columns`' values, as the ORM takes them) in the given order;
    returns how many. They may be produced as they are sent (a generator): on PostgreSQL
    the database inserts some while Python makes the next.

    `keys_at_once`: a superuser's COPY on PostgreSQL has the rows' foreign keys checked once
    per key instead of once per row, and holds the table against the site's writes until
    commit (app.demo.foreign_keys)."""
    if defaulted := {c.name for c in table.c if c.default is not None} - set(columns):
        raise ValueError(f"{table.name}: COPY would skip the Python defaults of {sorted(defaulted)}")
    connection = await db.connection()
    dialect = connection.dialect
    chunks = _Chunks(rows, [_processor(table, name, dialect) for name in columns])
    driver: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg's or aiosqlite's
    if dialect.name == "postgresql":
        if not keys_at_once or not (keys := await keys_checked_per_row(db, table, columns)):
            await driver.copy_records_to_table(table.name, records=chunks.rows(), columns=list(columns))
            return chunks.count
        sent = Sent(chunks, columns, watched(keys, columns))
        async with checked_per_key(db, table, keys, sent):
            await driver.copy_records_to_table(table.name, records=sent, columns=list(columns))
        return chunks.count
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    # The statement lists the columns in the table's order: the values follow it.
    order = [list(columns).index(name) for name in compiled.positiontup or ()]
    for chunk in chunks:
        await driver.executemany(str(compiled), [[row[i] for i in order] for row in chunk])
    return chunks.count


class _Chunks:
    """The rows, CHUNK at a time, their values processed column by column (zip and map loop
    in C: rebuilding each row in Python cost more than processing its values), counted."""

    def __init__(self, rows: Iterable[tuple[Any, ...]], processors: list[Callable[[Any], Any] | None]) -> None:
        self.remaining = iter(rows)
        self.converting = [(i, p) for i, p in enumerate(processors) if p is not None]
        self.count = 0

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        while chunk := list(itertools.islice(self.remaining, CHUNK)):
            if self.converting:
                columns: list[Iterable[Any]] = list(zip(*chunk, strict=True))
                for i, process in self.converting:
                    columns[i] = map(process, columns[i])
                chunk = list(zip(*columns, strict=True))
            self.count += len(chunk)
            yield chunk

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return itertools.chain.from_iterable(self)


#: The sequence is looked up once (a sub-select), not for each id: a sixth of the cost.
_DRAW_IDS = text(
    "SELECT array_agg(nextval((SELECT CAST(pg_get_serial_sequence(:table, 'id') AS regclass))))"
    " FROM generate_series(1, :count)"
)


def _processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column_type, Enum) or column_type.enum_class is None:
        return process
    # An enum's members are few: each is processed once, then looked up.
    known = {member: process(member) for member in column_type.enum_class}

    def processed(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:  # not a member (a string): as SQLAlchemy would
            return process(value)

    return processed
