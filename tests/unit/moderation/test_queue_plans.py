"""The moderation queue costs its page, not the items waiting behind it (issue 11: "fast with
10,000 items waiting"). A site of its own has thousands of reported contributions waiting
and as many decided before; every SELECT a queue page sends, with each filter and deep in
the keyset pages, is run again under the database's EXPLAIN and judged by the rules of the
discussion's plan tests (tests/unit/discussion/test_query_plans.py): no scan of a whole big
table, and on PostgreSQL no node that lists rows reads more than LIST_READS. Counting (the
header's badge, a page's reasons) may read what it counts. bench/queue.py times the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.demo.generator import generate_demo_data
from app.discussion.publication import Audience
from app.moderation.models import ReportReason
from app.moderation.queue import QueueFilters, waiting_count, waiting_page
from bench.queue_data import fill_queue
from tests.conftest import build_seeded_database
from tests.databases import fresh_database_url
from tests.factories import key_message
from tests.unit.discussion.plan_checks import (
    Statement,
    index_tables,
    plan_text,
    postgres_plan,
    recorded_reads,
    scans,
    sqlite_plan,
    sqlite_table_scans,
)

WAITING = 10_000
LIST_READS = 500
BIG_TABLES = {"moderation_queue", "moderation_queue_reasons", "reports", "contributions"}
MODERATORS = Audience(see_unpublished=True, see_withheld_names=True)


@dataclass
class QueueSite:
    url: str
    consultation_id: int
    key_message_id: int


@pytest.fixture(scope="module")
async def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[QueueSite]:
    url = await fresh_database_url(database_url, "queue_plans", Path(tmp_path_factory.mktemp("queue_plans")))
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    async with make_sessionmaker(engine)() as db:
        await generate_demo_data(
            db, contributions=WAITING, key_message_ref=None, consultation_slug=None, random_seed=7, reply_share=0.4
        )
        await fill_queue(db, WAITING)
        await db.commit()
        consultation = await consultation_by_slug(db, "com-2013-292")
        assert consultation is not None
        found = QueueSite(url, consultation.id, key_message(consultation, "RT3-KM2").id)
    async with engine.connect() as connection:
        # Statistics and a visibility map, as a live database has them after autovacuum: the
        # plans are those of a site in use.
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()
    yield found


def filters_of(site: QueueSite) -> dict[str, QueueFilters]:
    return {
        "all": QueueFilters(),
        "consultation": QueueFilters(consultation_id=site.consultation_id),
        "key message": QueueFilters(consultation_id=site.consultation_id, key_message_id=site.key_message_id),
        "waiting a week": QueueFilters(waiting_days=7),
        **{f"reason {reason.value}": QueueFilters(reason=reason) for reason in ReportReason},
        "rare reason in a consultation": QueueFilters(
            consultation_id=site.consultation_id, reason=ReportReason.ILLEGAL
        ),
    }


async def faults_of(url: str, statements: list[Statement]) -> list[str]:
    engine = make_engine(url, null_pool=True)
    faults = []
    try:
        async with engine.connect() as connection:
            postgres = engine.dialect.name == "postgresql"
            tables = await index_tables(connection) if postgres else {}
            for statement in statements:
                if postgres:
                    plan = await postgres_plan(connection, statement)
                    broken = [
                        f"{scan.node} of {scan.table} ({scan.index}) read {scan.rows_read} rows"
                        for scan in scans(plan, tables)
                        if scan.table in BIG_TABLES
                        and (scan.node == "Seq Scan" or (not scan.counted and scan.rows_read > LIST_READS))
                    ]
                    shown = plan_text(plan)
                else:
                    details = await sqlite_plan(connection, statement)
                    # A partial index of the waiting items holds only them: walking it in order
                    # for a page, or counting them, reads no decided item (PostgreSQL's rule
                    # above counts the rows such a walk reads).
                    broken = [
                        line
                        for line in sqlite_table_scans(details, statement[0], BIG_TABLES)
                        if "INDEX ix_moderation_queue_waiting" not in line
                    ]
                    shown = "\n".join(details)
                if broken:
                    faults.append(" ".join(statement[0].split())[:400] + "\n  " + "; ".join(broken) + "\n" + shown)
            await connection.rollback()
    finally:
        await engine.dispose()
    return faults


async def reads_of_pages(url: str, filters: QueueFilters, pages: int) -> list[Statement]:
    """The SELECTs of the first page and of page `pages` (followed through the cursors)."""
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            cursor = None
            for _ in range(pages - 1):
                page = await waiting_page(db, filters, MODERATORS, cursor=cursor)
                cursor = page.next_cursor
            with recorded_reads(engine) as first:
                await waiting_page(db, filters, MODERATORS)
            with recorded_reads(engine) as deep:
                page = await waiting_page(db, filters, MODERATORS, cursor=cursor)
            assert page.items, "the deep page is empty: the test would judge nothing"
            return first + deep
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "name",
    ["all", "consultation", "key message", "waiting a week", "rare reason in a consultation"]
    + [f"reason {reason.value}" for reason in ReportReason],
)
async def test_a_queue_page_reads_what_it_shows(site: QueueSite, name: str) -> None:
    filters = filters_of(site)[name]
    pages = 3 if filters.key_message_id or filters.reason is ReportReason.ILLEGAL else 20
    statements = await reads_of_pages(site.url, filters, pages)
    faults = await faults_of(site.url, statements)
    assert not faults, f"{name}: {len(faults)} of {len(statements)} reads are not flat\n\n" + "\n\n".join(faults)


async def test_the_headers_count_reads_only_waiting_items(site: QueueSite) -> None:
    engine = make_engine(site.url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            with recorded_reads(engine) as statements:
                assert await waiting_count(db) >= WAITING
    finally:
        await engine.dispose()
    faults = await faults_of(site.url, statements)
    assert not faults, "\n\n".join(faults)
