"""The foreign keys of a bulk COPY checked with one query per key, not one per row.

PostgreSQL checks each foreign key of each inserted row with a query of its own (an
internal trigger per key). For the demo generator those checks were four fifths of the
database's work: about eight a contribution, with its topics and endorsements. A superuser
may switch them off for one COPY, so inside a savepoint of the caller's transaction:

1. the table's per-row insert checks are disabled (ALTER TABLE … DISABLE TRIGGER);
2. the rows are copied, and the distinct values of their keys noted on the way; every
   other trigger (tallies, versions) fires as on any insert;
3. each key's values are looked up in one query, and the rows found locked FOR KEY SHARE,
   as each per-row check locks its own, so nobody deletes them before the caller commits;
4. the checks are enabled again.

Any failure rolls back to the savepoint: the checks are never left off and no row stays
unchecked. The values looked up are the values sent, which COPY stores as they are (it
applies no rules), so a table with a BEFORE INSERT row trigger, which could change them,
is checked per row; so are keys of several columns, and keys whose column is not sent.
A key's values among the rows of the same COPY (a reply to a contribution loaded with it)
exist once the COPY succeeded: they are not looked up.

The price: ALTER TABLE holds the table in SHARE ROW EXCLUSIVE mode until the caller's
transaction ends, so the site's writes to it wait for the generator (reads do not). That
lock also keeps everyone from deleting rows of a table held so (the table itself, or one
loaded earlier in the transaction): the rows found there are not locked one by one. The
generator takes the locks of all its tables together first (hold_for_loads), so that it
never waits for one while holding another a site writer waits for. Other roles are
checked per row as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

HOLD_RETRY_SECONDS = 0.05  #: between two tries to lock the loaded tables
LOCK_NOT_AVAILABLE = "55P03"  #: PostgreSQL's SQLSTATE for a NOWAIT lock refused

# ruff: noqa: S608 - identifiers come from the catalog, quoted (regclass, the dialect); values are bound


@dataclass(frozen=True)
class ForeignKey:
    """A single-column foreign key."""

    constraint: str
    trigger: str  #: the internal trigger that checks it on each insert
    column: str
    referenced_table: str  #: as SQL names it (regclass)
    referenced_column: str
    in_itself: bool  #: names rows of the same table


#: The table's foreign keys that PostgreSQL checks row by row on insert and that this role
#: may switch off (a superuser's only: the triggers are the system's). None when a BEFORE
#: INSERT row trigger could change a row after it is sent.
_CHECKED_PER_ROW = text(
    """
    SELECT c.conname, t.tgname, a.attname, CAST(CAST(c.confrelid AS regclass) AS text), ra.attname,
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
        AND NOT EXISTS (
            SELECT FROM pg_trigger AS b
            WHERE b.tgrelid = t.tgrelid AND NOT b.tgisinternal AND b.tgenabled <> 'D' AND (b.tgtype & 7) = 7
        )
    ORDER BY c.conname
    """
)


class MissingReference(Exception):
    """New rows name rows that do not exist: what the per-row check would have refused."""


async def hold_for_loads(db: AsyncSession, tables: Sequence[Table]) -> None:
    """Take the lock the loads of `tables` will take (when their keys can be checked at
    once), all tables together, before the loads take any other: one at a time could
    deadlock with the site, whose writers take them in different orders (posting:
    contributions then their topics; endorsing: endorsements then the contribution's
    counter). So the lock is tried without waiting, and on refusal let go and tried again.
    Once held, the loads only wait for rows (key messages) that writers of these tables
    lock after them: no circle."""
    if not await _may_switch_checks(db):
        return
    quote = (await db.connection()).dialect.identifier_preparer.quote
    lock = text(f"LOCK TABLE {', '.join(quote(t.name) for t in tables)} IN SHARE ROW EXCLUSIVE MODE NOWAIT")
    while True:
        attempt = await db.begin_nested()
        try:
            await db.execute(lock)
        except DBAPIError as refused:
            await attempt.rollback()  # lets go of the tables already taken
            if getattr(refused.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            await asyncio.sleep(HOLD_RETRY_SECONDS)
            continue
        await attempt.commit()
        return


async def _may_switch_checks(db: AsyncSession) -> bool:
    if (await db.connection()).dialect.name != "postgresql":
        return False
    return bool(await db.scalar(text("SELECT current_setting('is_superuser') = 'on'")))


async def keys_checked_per_row(db: AsyncSession, table: Table, columns: Collection[str]) -> list[ForeignKey]:
    """The keys `checked_per_key` can check at once for rows of `columns` (those sent):
    none unless on PostgreSQL as a superuser."""
    if (await db.connection()).dialect.name != "postgresql":
        return []
    keys = [ForeignKey(*row) for row in await db.execute(_CHECKED_PER_ROW, {"table": table.name})]
    return [key for key in keys if key.column in columns]


def watched(keys: Sequence[ForeignKey], columns: Collection[str]) -> list[str]:
    """The columns whose values `checked_per_key` looks up: each key's, and the column a
    key names in its own table, whose sent values need no lookup."""
    itself = {key.referenced_column for key in keys if key.in_itself} & set(columns)
    return sorted({key.column for key in keys} | itself)


class Sent:
    """Rows on their way to the database, a chunk at a time, watched for the distinct values
    of some columns (set.update over itemgetter: loops in C)."""

    def __init__(self, chunks: Iterable[list[tuple[Any, ...]]], columns: Sequence[str], watched: Iterable[str]) -> None:
        self.chunks = chunks
        self.values: dict[str, set[Any]] = {name: set() for name in watched}
        self._watch = [(itemgetter(list(columns).index(name)), seen) for name, seen in self.values.items()]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for chunk in self.chunks:
            for value_of, seen in self._watch:
                seen.update(map(value_of, chunk))
            yield from chunk


@asynccontextmanager
async def checked_per_key(
    db: AsyncSession, table: Table, keys: Sequence[ForeignKey], sent: Sent
) -> AsyncIterator[None]:
    """Inside, inserts into `table` skip the per-row checks of `keys`; on leaving, the
    values `sent` saw go by are looked up once per key (see the module's docstring)."""
    quote = (await db.connection()).dialect.identifier_preparer.quote
    table_name, triggers = quote(table.name), [quote(key.trigger) for key in keys]
    async with db.begin_nested():
        await _switch(db, table_name, triggers, "DISABLE")
        yield
        held = set(await db.scalars(_HELD))
        refused = []
        for key in keys:
            named = sent.values[key.column] - {None}
            if key.in_itself:  # rows of this COPY need no lookup
                named -= sent.values.get(key.referenced_column, set())
            if named:
                lookup = _lookup(
                    key.referenced_table, quote(key.referenced_column), lock=key.referenced_table not in held
                )
                if (found := await db.scalar(lookup, {"named": list(named)})) != len(named):
                    refused.append(f"{len(named) - found} value(s) of {key.column} name no row ({key.constraint})")
        if refused:
            raise MissingReference(f"{table.name}: {', '.join(refused)}")
        await _switch(db, table_name, triggers, "ENABLE")


async def _switch(db: AsyncSession, table_name: str, triggers: Sequence[str], state: str) -> None:
    await db.execute(text(f"ALTER TABLE {table_name} " + ", ".join(f"{state} TRIGGER {t}" for t in triggers)))


def _lookup(table_name: str, column: str, *, lock: bool) -> TextClause:
    """SQL: how many of the values :named `column` holds (it is unique: a key names it);
    those rows locked as the per-row checks lock them, unless no one can delete them anyway."""
    found = f"SELECT FROM {table_name} AS p WHERE p.{column} = ANY(:named)"
    return text(f"SELECT count(*) FROM ({found}{' FOR KEY SHARE OF p' if lock else ''}) AS found")


#: Tables this transaction holds in a mode that keeps out every writer (and so deleters):
#: the loaded table itself (the ALTER's lock), or one loaded earlier.
_HELD = text(
    """
    SELECT CAST(CAST(relation AS regclass) AS text) FROM pg_locks
    WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted
        AND mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
    """
)
