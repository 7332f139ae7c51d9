"""`roundtable tallies rebuild` puts the position counts right after they went wrong (a
backup restored with the triggers off, say)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select, text

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.position_counts import PositionCount
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.factories import make_position, make_user
from tests.unit.cli.test_cli import run


@pytest.fixture
async def seeded(database_url, tmp_path) -> dict[str, str]:
    url = await fresh_database_url(database_url, "cli_tallies", tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp_path), "SECRET_KEY": "cli-test"}
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "seed").returncode == 0
    return env


async def _counts(url: str) -> dict[tuple, int]:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.scalars(select(PositionCount).where(PositionCount.count != 0))
            return {(c.key_message_id, c.position, c.under_organisation, c.organisation_id): c.count for c in rows}
    finally:
        await engine.dispose()


async def test_rebuild_writes_the_counts_afresh(seeded):
    env = seeded
    engine = make_engine(env["DATABASE_URL"], null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SEED_SLUG)
            assert consultation is not None
            await make_position(db, consultation, author=await make_user(db), ref="RT1-KM2")
            await db.commit()
            right = await _counts(env["DATABASE_URL"])
            await db.execute(text("UPDATE position_counts SET count = count + 3"))
            await db.commit()
    finally:
        await engine.dispose()
    assert await _counts(env["DATABASE_URL"]) != right

    result = run(env, "tallies", "rebuild")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{len(right)} position counts written"
    assert await _counts(env["DATABASE_URL"]) == right
