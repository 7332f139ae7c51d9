"""Hot queries cost what they return, not the size of the table (issue 10). On a database of
its own, with a busy key message and ten times as many newer contributions elsewhere,
committed, vacuumed and ANALYZEd as a live database would be, the database's own EXPLAIN
must read the key message's own index entries: never the whole table, nor the primary key
walked back past every newer row of other key messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.live import latest_contribution_query
from tests.conftest import SEED_SLUG, build_seeded_database
from tests.databases import fresh_database_url
from tests.factories import make_position, make_user

OURS, ELSEWHERE = 2_000, 20_000

#: Replies to one thread, numbered from 1 to :count.
BULK_REPLIES = text(
    """
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :count)
    INSERT INTO contributions (key_message_id, author_id, parent_id, thread_root_id, depth, body_source,
                               body_html, status, submission_key, publication, endorsement_count,
                               created_at, updated_at)
    SELECT :key_message_id, :author_id, :parent_id, :parent_id, 1, 'Bulk.', '<p>Bulk.</p>', 'visible',
           :prefix || n, 'named', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM g
    """
)


class Busy:
    def __init__(self, engine: AsyncEngine, key_message_id: int) -> None:
        self.engine, self.key_message_id = engine, key_message_id


@pytest.fixture(scope="module")
async def busy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Busy]:
    """OURS replies on RT2-KM3, then ELSEWHERE newer ones on RT1-KM1; committed and analysed."""
    url = await fresh_database_url(database_url, "plans", Path(tmp_path_factory.mktemp("plans")))
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    async with make_sessionmaker(engine)() as db:
        consultation = await consultation_by_slug(db, SEED_SLUG)
        assert consultation is not None
        author = await make_user(db)
        ours = await make_position(db, consultation, author=author, ref="RT2-KM3", body="Ours.")
        theirs = await make_position(db, consultation, author=author, ref="RT1-KM1", body="Theirs.")
        for parent, count in ((ours, OURS), (theirs, ELSEWHERE)):
            values = {"key_message_id": parent.key_message_id, "author_id": author.id, "parent_id": parent.id}
            await db.execute(BULK_REPLIES, {**values, "count": count, "prefix": f"bulk-{parent.id}-"})
        await db.commit()
        key_message_id = ours.key_message_id
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    yield Busy(engine, key_message_id)
    await engine.dispose()


async def _plan(engine: AsyncEngine, query: Select[int]) -> str:
    sql = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return "\n".join((await connection.scalars(text(f"EXPLAIN {sql}"))).all())
        return "\n".join(row.detail for row in await connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


async def test_a_key_messages_newest_contribution_reads_its_own_index(busy: Busy) -> None:
    plan = await _plan(busy.engine, latest_contribution_query(busy.key_message_id))
    assert "ix_contributions_key_message_id_id" in plan, plan
    assert "pk_contributions" not in plan and "Seq Scan" not in plan and "SCAN contributions" not in plan, plan
