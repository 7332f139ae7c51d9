"""Upgrading a database that holds data keeps every row, and so does downgrading again.

On SQLite, Alembic's batch mode rebuilds a table by dropping it; with foreign keys enforced
that drop deletes the rows of every table that references it ON DELETE CASCADE (sections,
key messages, contributions under a consultation). The migrations must never do that."""

from __future__ import annotations

import sqlalchemy as sa

from app.db import make_engine
from tests.databases import fresh_database_url
from tests.unit.migrations.test_mark_superseded_positions import T0, _insert_positions, _insert_text
from tests.unit.migrations.test_migrations import alembic

#: The last revision that shipped before the trust work (issue 8).
SHIPPED = "7bdb513ed605"

NOW = sa.DateTime(timezone=True)
memberships = sa.table(
    "memberships",
    *(sa.column(c) for c in ("id", "user_id", "organisation_id", "is_admin")),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)
endorsements = sa.table(
    "endorsements", *(sa.column(c) for c in ("id", "contribution_id", "organisation_id")), sa.column("created_at", NOW)
)


async def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url, null_pool=True)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        counts = {}
        for name in sorted(set(names) - {"alembic_version"}):
            counts[name] = (
                await connection.execute(sa.select(sa.func.count()).select_from(sa.table(name)))
            ).scalar_one()
    await engine.dispose()
    return counts


async def test_upgrade_and_downgrade_keep_every_row(database_url, tmp_path):
    url = await fresh_database_url(database_url, "keep_rows", tmp_path)
    assert alembic(url, "upgrade", SHIPPED).returncode == 0
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        await _insert_text(connection)
        await _insert_positions(connection)
        await connection.execute(
            memberships.insert().values(id=1, user_id=1, organisation_id=1, is_admin=True, created_at=T0, updated_at=T0)
        )
        await connection.execute(
            endorsements.insert().values(id=1, contribution_id=8, organisation_id=1, created_at=T0)
        )
    await engine.dispose()
    before = await _row_counts(url)
    assert before["key_messages"] == 2 and before["contributions"] == 10 and before["memberships"] == 1

    result = alembic(url, "upgrade", "head")
    assert result.returncode == 0, result.stderr
    after = await _row_counts(url)
    assert {name: after[name] for name in before} == before

    result = alembic(url, "downgrade", SHIPPED)
    assert result.returncode == 0, result.stderr
    assert await _row_counts(url) == before
