"""The backfill of organisations.search_key (c7e1a9d3f5b2): organisations registered before
the column existed become searchable whatever the accents, as the app computes the key."""

from __future__ import annotations

import sqlalchemy as sa

from app.db import make_engine
from app.organisations.directory import organisation_search_key
from tests.databases import fresh_database_url
from tests.unit.migrations.test_mark_superseded_positions import T0
from tests.unit.migrations.test_migrations import alembic

BEFORE, BACKFILL = "a1e5c3d7f9b2", "c7e1a9d3f5b2"
NAMES = ["Forum des  Sénégalais", "ÇA VA Ĳssel", "جمعية الجالية"]
organisations = sa.table(
    "organisations", *(sa.column(c) for c in ("id", "name", "name_key", "type", "country", "created_at", "updated_at"))
)


async def test_organisations_registered_before_get_their_search_key(database_url, tmp_path):
    url = await fresh_database_url(database_url, "search_key_backfill", tmp_path)
    assert alembic(url, "upgrade", BEFORE).returncode == 0
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        for number, name in enumerate(NAMES, start=1):
            await connection.execute(
                organisations.insert().values(
                    id=number,
                    name=name,
                    name_key=name.casefold(),
                    type="other",
                    country="SN",
                    created_at=T0,
                    updated_at=T0,
                )
            )
    result = alembic(url, "upgrade", BACKFILL)
    assert result.returncode == 0, result.stderr
    async with engine.connect() as connection:
        keys = (await connection.scalars(sa.text("SELECT search_key FROM organisations ORDER BY id"))).all()
    await engine.dispose()
    assert keys == [organisation_search_key(name) for name in NAMES]
    assert keys[0] == "forum des senegalais"
