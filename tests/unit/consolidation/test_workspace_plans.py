"""The workspace's aggregates cost the key messages selected, not the consultation: on a site
with thousands of contributions, every SELECT the workspace sends for one key message, or
for one roundtable, is run again under EXPLAIN and judged as the discussion's plan tests
judge theirs (tests/unit/discussion/test_query_plans.py): no scan of the whole contributions
table, and on PostgreSQL no node reading more contributions than those key messages hold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from app.consolidation.matrix import Dimension
from app.consolidation.selection import Selection
from app.consolidation.workspace import key_message_detail, overview
from app.consultation.models import KeyMessage
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution
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

CONTRIBUTIONS = 6_000
BIG_TABLES = {"contributions"}
#: Rows a scan may read beyond those of the key messages selected (index pages, a few misses).
SLACK = 50
SLUG = "com-2013-292"


@dataclass
class Site:
    url: str
    rows: dict[str, int]  #: contributions by key message ref


@pytest.fixture(scope="module")
async def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    url = await fresh_database_url(database_url, "workspace_plans", Path(tmp_path_factory.mktemp("workspace_plans")))
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    async with make_sessionmaker(engine)() as db:
        await generate_demo_data(
            db, contributions=CONTRIBUTIONS, key_message_ref=None, consultation_slug=None, random_seed=11
        )
        # Demo data proposes no wording and quotes nothing: a share of it does here.
        await db.execute(
            update(Contribution)
            .where(Contribution.parent_id.is_(None), Contribution.id % 4 == 0)
            .values(
                position="support_with_amendments",
                amendment_text="A wording proposed instead, " + Contribution.body_source,
            )
        )
        await db.execute(
            update(Contribution).where(Contribution.id % 5 == 0).values(quote_text="migratie", quote_start=0)
        )
        counts = await db.execute(
            select(KeyMessage.ref, func.count(Contribution.id))
            .join(Contribution, Contribution.key_message_id == KeyMessage.id)
            .group_by(KeyMessage.ref)
        )
        rows = {ref: count for ref, count in counts}
        await db.commit()
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()
    yield Site(url, rows)


async def reads_of(url: str, selection: Selection, dimension: Dimension) -> list[Statement]:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SLUG)
            assert consultation is not None
            with recorded_reads(engine) as statements:
                await overview(db, consultation, selection, dimension)
                if selection.key_message:
                    message = key_message(consultation, selection.key_message)
                    await key_message_detail(db, consultation, selection, message, dimension)
            return statements
    finally:
        await engine.dispose()


async def faults_of(url: str, statements: list[Statement], allowed_reads: int) -> list[str]:
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
                        if scan.table in BIG_TABLES and (scan.node == "Seq Scan" or scan.rows_read > allowed_reads)
                    ]
                    shown = plan_text(plan)
                else:
                    details = await sqlite_plan(connection, statement)
                    broken = sqlite_table_scans(details, statement[0], BIG_TABLES)
                    shown = "\n".join(details)
                if broken:
                    faults.append(" ".join(statement[0].split())[:400] + "\n  " + "; ".join(broken) + "\n" + shown)
            await connection.rollback()
    finally:
        await engine.dispose()
    return faults


@pytest.mark.parametrize(
    ("selection", "dimension"),
    [
        (Selection(key_message="RT2-KM3"), Dimension.STAKEHOLDER_TYPE),
        (
            Selection(key_message="RT2-KM3", stakeholder_types=("civil_society",), positions=("oppose",)),
            Dimension.ORIGIN,
        ),
        (Selection(roundtable="RT2"), Dimension.REGION),
        (Selection(roundtable="RT2", verified_only=True), Dimension.COUNTRY),
    ],
    ids=["one key message", "one key message filtered", "one roundtable", "one roundtable verified"],
)
async def test_the_workspace_reads_the_key_messages_it_shows(
    site: Site, selection: Selection, dimension: Dimension
) -> None:
    prefix = selection.key_message or f"{selection.roundtable}-"
    allowed = sum(count for ref, count in site.rows.items() if ref == prefix or ref.startswith(prefix)) + SLACK
    assert allowed < sum(site.rows.values()) / 2, "the selection should be a small part of the site"
    statements = await reads_of(site.url, selection, dimension)
    assert statements
    faults = await faults_of(site.url, statements, allowed)
    assert not faults, f"{len(faults)} of {len(statements)} reads are not bounded\n\n" + "\n\n".join(faults)
