"""The backfill of moderation_log.consultation_id (f9c4e2a6b731): decisions logged before the
column existed get their contribution's consultation; the downgrade keeps every decision."""

from __future__ import annotations

import sqlalchemy as sa

from app.db import make_engine
from tests.databases import fresh_database_url
from tests.unit.migrations.test_mark_superseded_positions import NOW, T0, _insert_text, contributions
from tests.unit.migrations.test_migrations import alembic

BEFORE, BACKFILL = "f3b7d1a5c829", "f9c4e2a6b731"
moderation_log = sa.table(
    "moderation_log",
    *(sa.column(c) for c in ("id", "contribution_id", "moderator_id", "action", "tag", "reason", "rule")),
    sa.column("created_at", NOW),
)


async def test_decisions_logged_before_get_their_consultation(database_url, tmp_path):
    url = await fresh_database_url(database_url, "log_backfill", tmp_path)
    assert alembic(url, "upgrade", BEFORE).returncode == 0
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        await _insert_text(connection)
        for number in (1, 2):
            await connection.execute(
                contributions.insert().values(
                    id=number,
                    key_message_id=number,
                    author_id=number,
                    depth=0,
                    position="support",
                    body_source="Text.",
                    body_html="<p>Text.</p>",
                    status="hidden",
                    submission_key=f"k{number}",
                    created_at=T0,
                    updated_at=T0,
                )
            )
            await connection.execute(
                moderation_log.insert().values(
                    id=number,
                    contribution_id=number,
                    moderator_id=3,
                    action="hide",
                    tag="moderation:contribution:hide",
                    reason="Off topic.",
                    rule=None,
                    created_at=T0,
                )
            )
    result = alembic(url, "upgrade", BACKFILL)
    assert result.returncode == 0, result.stderr
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.text("SELECT id, consultation_id FROM moderation_log ORDER BY id"))).all()
    assert [tuple(row) for row in rows] == [(1, 1), (2, 1)]

    result = alembic(url, "downgrade", BEFORE)
    assert result.returncode == 0, result.stderr
    async with engine.connect() as connection:
        count = (await connection.execute(sa.text("SELECT count(*) FROM moderation_log"))).scalar_one()
        columns = await connection.run_sync(
            lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("moderation_log")]
        )
    await engine.dispose()
    assert count == 2 and "consultation_id" not in columns
