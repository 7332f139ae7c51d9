"""Hot reads cost what they return, not the size of the table (issue 10, "flat reads").

Each hot path (hot_paths.py) calls the real code with real arguments on a busy site of
its own (busy_site.py: a key message with a realistic discussion and long threads, twenty
times as much on other key messages and in another consultation, and statistics as a live
database has them). Every SELECT the path sends is recorded and run
again under the database's own EXPLAIN, then judged:

PostgreSQL (EXPLAIN ANALYZE: the rows each node really read, filtered out ones included):
- no Seq Scan of a big table (BIG_TABLE rows or more: contributions, endorsements, topic
  tags, people, organisations, memberships);
- a node that lists rows (a page, its replies, what hangs on them) reads at most LIST_READS:
  a page shows about a hundred contributions (twenty threads with their first replies, a
  thread page's levels), a filter may skip some more (withdrawn, not for publication,
  deeper replies), but every other key message has thousands, so a walk past them fails;
- a node under an aggregate (a count, a tally, the quoted passages) may read every row of
  what it counts and nothing else: at most as many rows as the path's subject has (the key
  message's contributions; the consultation's, the topic's, the person's or the
  organisation's). Paths marked `whole_subject` may list as much too (hot_paths.py says why).

SQLite (the embedded default; EXPLAIN QUERY PLAN does not say how much was read):
- no SCAN of a big table, with or without an index (a whole index is the whole table);
- the work of SQLite's virtual machine for each statement, counted in instructions, is the
  same on the busy site as on the same file before the other key messages were filled: at
  most GROWTH times as much (times its subject's growth, for a statement that counts or a
  `whole_subject` path: a consultation's topic counts grow with its other key messages).
  This is the rule that catches a walk along an index: the plan of `max(id)` read back
  along the primary key says only `SEARCH contributions`.

A failure names the path and the statement, says what broke the rule and prints the plan.
The plans were judged with custom plans (the parameters' values known), as PostgreSQL plans
a statement's first executions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution, ContributionTopic
from tests.databases import fresh_database_url
from tests.unit.discussion.busy_site import BUSIEST_COPIES, COPIES_HERE, BusySite, build_busy_site
from tests.unit.discussion.hot_paths import HOT_PATHS, HotPath, Subject
from tests.unit.discussion.plan_checks import (
    Statement,
    index_tables,
    plan_text,
    postgres_plan,
    recorded_reads,
    scans,
    sqlite_plan,
    sqlite_table_scans,
    sqlite_work,
)

BIG_TABLE = 1_000
LIST_READS = 500
#: SQLite: how much more work a statement may do on the busy site than before the copies
#: (beyond its subject's growth), and a few instructions of slack (in plan_checks.STEPs).
GROWTH, WORK_SLACK = 1.5, 50


@dataclass
class Busy:
    site: BusySite
    #: Rows each subject has on the busy site, and how many times it grew with the copies.
    subject_rows: dict[Subject, int]
    growth: dict[Subject, float]
    big_tables: set[str]
    index_tables: dict[str, str]


@pytest.fixture(scope="module")
async def busy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Busy]:
    tmp = Path(tmp_path_factory.mktemp("plans"))
    url = await fresh_database_url(database_url, "plans", tmp)
    engine = make_engine(url, null_pool=True)
    site = await build_busy_site(engine, url, tmp)
    async with make_sessionmaker(engine)() as db:
        by_author = select(func.count()).where(Contribution.author_id == site.busiest_author_id)
        by_organisation = select(func.count()).where(Contribution.organisation_id == site.busiest_organisation_id)
        tags = select(func.count()).where(ContributionTopic.topic_id == site.topic_id)
        subject_rows = {
            Subject.KEY_MESSAGE: site.on_key_message,
            Subject.CONSULTATION: site.in_consultation,
            Subject.TOPIC: await db.scalar(tags) or 0,
            Subject.PERSON: await db.scalar(by_author) or 0,
            Subject.ORGANISATION: await db.scalar(by_organisation) or 0,
        }
    async with engine.connect() as connection:
        indexes = await index_tables(connection) if engine.dialect.name == "postgresql" else {}
    yield Busy(
        site=site,
        subject_rows=subject_rows,
        growth={Subject.KEY_MESSAGE: 1.0}
        | dict.fromkeys((Subject.CONSULTATION, Subject.TOPIC), COPIES_HERE + 1.0)
        | dict.fromkeys((Subject.PERSON, Subject.ORGANISATION), BUSIEST_COPIES + 1.0),
        big_tables={name for name, rows in site.table_rows.items() if rows >= BIG_TABLE},
        index_tables=indexes,
    )
    await engine.dispose()


async def _reads_of(site: BusySite, path: HotPath) -> list[Statement]:
    async with make_sessionmaker(site.engine)() as db:
        prepared = await path.prepare(db, site) if path.prepare is not None else None
        with recorded_reads(site.engine) as seen:
            await path.run(db, site, prepared)
        await db.rollback()
    return seen


#: SQLite: a statement that counts, whose work may grow with what it counts.
_AGGREGATE = re.compile(r"\b(count|max|min|sum)\(|\bGROUP BY\b", re.IGNORECASE)


def _short(sql: str) -> str:
    return " ".join(sql.split())[:600]


async def _postgres_faults(busy: Busy, path: HotPath, statements: list[Statement]) -> list[str]:
    faults = []
    count_budget = busy.subject_rows[path.subject]
    async with busy.site.engine.connect() as connection:
        for statement in statements:
            plan = await postgres_plan(connection, statement)
            broken = []
            for scan in scans(plan, busy.index_tables):
                if scan.table not in busy.big_tables:
                    continue
                budget = LIST_READS
                if scan.counted or path.whole_subject:
                    budget = max(budget, count_budget)
                if scan.node == "Seq Scan":
                    broken.append(f"Seq Scan of {scan.table}")
                elif scan.rows_read > budget:
                    what = "counting" if scan.counted else "listing"
                    broken.append(
                        f"{scan.node} of {scan.table} ({scan.index}) read {scan.rows_read} rows {what}, over {budget}"
                    )
            if broken:
                faults.append(f"{_short(statement[0])}\n  " + "; ".join(broken) + "\n" + plan_text(plan))
        await connection.rollback()
    return faults


async def _sqlite_faults(busy: Busy, path: HotPath, statements: list[Statement]) -> list[str]:
    faults = []
    busy_file = cast(str, make_url(busy.site.engine.url).database)
    small_file = cast(str, make_url(cast(str, busy.site.small_url)).database)
    async with busy.site.engine.connect() as connection:
        for statement in statements:
            counts = path.whole_subject or _AGGREGATE.search(statement[0]) is not None
            allowed = GROWTH * (busy.growth[path.subject] if counts else 1.0)
            plan = await sqlite_plan(connection, statement)
            broken = [
                f"reads the whole table: {line}" for line in sqlite_table_scans(plan, statement[0], busy.big_tables)
            ]
            before, now = sqlite_work(small_file, statement), sqlite_work(busy_file, statement)
            if now > allowed * before + WORK_SLACK:
                broken.append(
                    f"work grew from {before} to {now} steps with the other key messages (allowed ×{allowed})"
                )
            if broken:
                faults.append(f"{_short(statement[0])}\n  " + "; ".join(broken) + "\n  " + "\n  ".join(plan))
    return faults


async def _faults(busy: Busy, path: HotPath) -> tuple[list[Statement], list[str]]:
    statements = await _reads_of(busy.site, path)
    postgres = busy.site.engine.dialect.name == "postgresql"
    return statements, await (_postgres_faults if postgres else _sqlite_faults)(busy, path, statements)


@pytest.mark.parametrize("path", HOT_PATHS, ids=lambda path: path.name)
async def test_a_hot_path_reads_what_it_returns(busy: Busy, path: HotPath) -> None:
    statements, faults = await _faults(busy, path)
    assert statements, "the path sent no SELECT"
    assert not faults, f"{path.name}: {len(faults)} of {len(statements)} reads are not flat\n\n" + "\n\n".join(faults)


async def _newest_without_its_index(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    """The read ix_contributions_key_message_id_id was made for, with the index hidden from
    the database (`+ 0`): it walks the primary key back past every newer contribution."""
    return await db.scalar(
        select(func.max(Contribution.id)).where(Contribution.key_message_id + 0 == site.key_message_id)
    )


async def test_the_rules_catch_a_read_past_other_key_messages(busy: Busy) -> None:
    """PostgreSQL walks the primary key back, or reads the table; SQLite's plan says only
    `SEARCH contributions` (its max() optimisation), but its work grows with the table."""
    _statements, faults = await _faults(busy, HotPath("without its index", _newest_without_its_index))
    assert len(faults) == 1
    postgres = busy.site.engine.dialect.name == "postgresql"
    signs = ("rows listing, over", "Seq Scan of contributions") if postgres else ("work grew",)
    assert any(sign in faults[0] for sign in signs), faults[0]
