"""The foreign keys of a bulk COPY checked with one query per key, not one per row.

PostgreSQL checks each foreign key of each inserted row with a query of its own (an
internal trigger per key). For the demo generator those checks were four fifths of the
database's work: about eight a contribution, with its topics and endorsements. A superuser
may switch them off for one COPY, so inside a savepoint of the caller's transaction:

1. the table's per-row insert checks are disabled (ALTER TABLE … DISABLE TRIGGER);
2. the rows are copied; every other trigger (tallies, versions) fires as on any insert;
3. each foreign key is checked once over the new rows, and the rows they name in other
   tables are locked FOR KEY SHARE, as each per-row check would have locked its own, so
   nobody deletes them before the caller commits;
4. the checks are enabled again.

Any failure rolls back to the savepoint: the checks are never left off and no row stays
unchecked. The price: ALTER TABLE holds the table in SHARE ROW EXCLUSIVE mode until the
caller's transaction ends, so the site's writes to it wait for the generator (reads do
not); that lock is also what keeps the rows a table's keys name in itself from being
deleted meanwhile. Other roles, and keys of several columns, are checked per row as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

# ruff: noqa: S608 - identifiers come quoted from the catalog (quote_ident, regclass), values are bound


@dataclass(frozen=True)
class ForeignKey:
    """A single-column foreign key, its names quoted as SQL wants them."""

    constraint: str
    trigger: str  #: the internal trigger that checks it on each insert
    column: str
    referenced_table: str
    referenced_column: str
    in_itself: bool  #: names rows of the same table


#: The table's foreign keys that PostgreSQL checks row by row on insert and that this role
#: may switch off (a superuser's only: the triggers are the system's).
_CHECKED_PER_ROW = text(
    """
    SELECT c.conname, quote_ident(t.tgname), quote_ident(a.attname),
        CAST(CAST(c.confrelid AS regclass) AS text), quote_ident(ra.attname),
        c.confrelid = c.conrelid
    FROM pg_trigger AS t
    JOIN pg_constraint AS c ON c.oid = t.tgconstraint
    JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute AS ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
    WHERE t.tgrelid = CAST(:table AS regclass)
        AND t.tgfoid = CAST('"RI_FKey_check_ins"' AS regproc)
        AND t.tgenabled = 'O'
        AND cardinality(c.conkey) = 1
        AND current_setting('is_superuser') = 'on'
    ORDER BY c.conname
    """
)


class MissingReference(Exception):
    """New rows name rows that do not exist: what the per-row check would have refused."""


async def keys_checked_per_row(db: AsyncSession, table: Table) -> list[ForeignKey]:
    """The keys `checked_per_key` can check at once (none unless PostgreSQL and superuser)."""
    if (await db.connection()).dialect.name != "postgresql":
        return []
    return [ForeignKey(*row) for row in await db.execute(_CHECKED_PER_ROW, {"table": table.name})]


class Span:
    """Rows on their way to the database, watched for the least and greatest value of one
    column (`name`): the new rows are then found again by that range."""

    def __init__(self, rows: Iterable[tuple[Any, ...]], columns: Sequence[str], name: str) -> None:
        self.rows, self.name, self.index = rows, name, list(columns).index(name)
        self.low: Any = None
        self.high: Any = None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        index, low, high = self.index, self.low, self.high
        for row in self.rows:
            value = row[index]
            if low is None or value < low:
                low = value
            if high is None or value > high:
                high = value
            yield row
        self.low, self.high = low, high


@asynccontextmanager
async def checked_per_key(
    db: AsyncSession, table: Table, keys: Sequence[ForeignKey], span: Span
) -> AsyncIterator[None]:
    """Inside, inserts into `table` skip the per-row checks of `keys`; on leaving, the rows
    `span` saw go by are checked once per key (see the module's docstring)."""
    quote = (await db.connection()).dialect.identifier_preparer.quote
    table_name, spanned = quote(table.name), quote(span.name)
    async with db.begin_nested():
        await _switch(db, table_name, keys, "DISABLE")
        yield
        if span.low is not None:
            check = _missing(table_name, spanned, keys, held=set(await db.scalars(_HELD)))
            missing = (await db.execute(check, {"low": span.low, "high": span.high})).one()
            named = zip(missing, keys, strict=True)
            if refused := [f"{n} row(s) name no row by {k.column} ({k.constraint})" for n, k in named if n]:
                raise MissingReference(f"{table.name}: {', '.join(refused)}")
        await _switch(db, table_name, keys, "ENABLE")


async def _switch(db: AsyncSession, table_name: str, keys: Sequence[ForeignKey], state: str) -> None:
    if keys:
        await db.execute(text(f"ALTER TABLE {table_name} " + ", ".join(f"{state} TRIGGER {k.trigger}" for k in keys)))


def _missing(table_name: str, spanned: str, keys: Sequence[ForeignKey], held: Collection[str]) -> TextClause:
    """SQL: for each key, how many of the rows whose `spanned` column lies between :low and
    :high name no row, in one pass over those rows. The rows they name are locked as the
    per-row checks lock them, but in the tables this transaction `held` against writers
    (the ALTER's lock on the table itself, an earlier load's): no one can delete those.
    The new rows a key names in their own table need no lookup."""
    read = sorted({k.column for k in keys} | {k.referenced_column for k in keys if k.in_itself})
    parts = [f"new AS MATERIALIZED (SELECT {', '.join(read)} FROM {table_name} WHERE {spanned} BETWEEN :low AND :high)"]
    counts = []
    for i, key in enumerate(keys):
        named, table, column = f"n.{key.column}", key.referenced_table, key.referenced_column
        absent = f"NOT EXISTS (SELECT FROM {table} AS p WHERE p.{column} = {named})"
        if key.in_itself:
            absent = f"NOT EXISTS (SELECT FROM new AS m WHERE m.{column} = {named}) AND {absent}"
        elif table not in held:
            parts.append(
                f"found_{i} AS (SELECT p.{column} AS v FROM {table} AS p"
                f" WHERE p.{column} IN (SELECT {key.column} FROM new) FOR KEY SHARE OF p)"
            )
            absent = f"NOT EXISTS (SELECT FROM found_{i} AS f WHERE f.v = {named})"
        counts.append(f"(SELECT count(*) FROM new AS n WHERE {named} IS NOT NULL AND {absent})")
    return text(f"WITH {', '.join(parts)} SELECT {', '.join(counts)}")


#: Tables this transaction holds in a mode that keeps out every writer (and so deleters).
_HELD = text(
    """
    SELECT CAST(CAST(relation AS regclass) AS text) FROM pg_locks
    WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted
        AND mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
    """
)
