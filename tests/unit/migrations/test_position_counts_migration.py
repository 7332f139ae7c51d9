"""The position counts migration (c5f2d8e3b942): it back-fills the counts from the
contributions already there, its triggers keep them from then on, and the downgrade
removes the table, the triggers and (PostgreSQL) their functions."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from app.cli import alembic_config
from app.db import make_engine
from tests.databases import fresh_database_url
from tests.unit.migrations.test_mark_superseded_positions import T0, _insert_text
from tests.unit.migrations.test_migrations import alembic

REVISION = "c5f2d8e3b942"
#: The revision before it, read from the script so a re-chained history still tests it.
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision(REVISION).down_revision
assert isinstance(BEFORE, str)

NOW = sa.DateTime(timezone=True)
contributions = sa.table(
    "contributions",
    *(sa.column(c) for c in ("id", "key_message_id", "author_id", "organisation_id", "parent_id", "thread_root_id")),
    *(sa.column(c) for c in ("depth", "position", "body_source", "body_html", "status", "submission_key")),
    *(sa.column(c) for c in ("publication", "superseded_by_id")),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)
position_counts = sa.table(
    "position_counts",
    *(sa.column(c) for c in ("key_message_id", "position", "under_organisation", "organisation_id")),
    sa.column("count"),
)

#: (id, key message, author, organisation, parent, position, status, publication, superseded by)
CONTRIBUTIONS = [
    (1, 1, 1, 1, None, "support", "visible", "named", None),
    (2, 1, 2, 2, None, "oppose", "visible", "organisation_only", None),
    (3, 1, 3, None, None, "support", "visible", "named", None),
    (4, 1, 1, None, None, "neutral", "visible", "anonymous", None),
    (5, 1, 2, None, None, "support", "visible", "not_for_publication", None),  # not counted
    (6, 1, 3, 1, None, "oppose", "visible", "named", 1),  # superseded
    (7, 1, 2, 2, 1, None, "visible", "named", None),  # a reply
    (8, 2, 1, 1, None, "support", "hidden", "named", None),
    (9, 2, 2, 2, None, "support", "withdrawn", "named", None),
    (10, 2, 3, None, None, "support", "visible", "anonymous", None),
    (11, 2, 1, None, None, "support", "visible", "anonymous", None),
    (12, 2, 2, None, None, "oppose", "visible", "named", None),
]
#: (key message, position, under its organisation, organisation or 0): count
EXPECTED = {
    (1, "support", True, 1): 1,
    (1, "oppose", True, 2): 1,
    (1, "support", True, 0): 1,
    (1, "neutral", False, 0): 1,
    (2, "support", False, 0): 2,
    (2, "oppose", True, 0): 1,
}


async def _insert_contributions(connection) -> None:
    for (
        identifier,
        message,
        author,
        organisation,
        parent,
        position,
        status,
        publication,
        superseded_by,
    ) in CONTRIBUTIONS:
        moment = T0 + timedelta(minutes=identifier)
        await connection.execute(
            contributions.insert().values(
                id=identifier,
                key_message_id=message,
                author_id=author,
                organisation_id=organisation,
                parent_id=parent,
                thread_root_id=parent,
                depth=0 if parent is None else 1,
                position=position,
                body_source="x",
                body_html="<p>x</p>",
                status=status,
                publication=publication,
                superseded_by_id=superseded_by,
                submission_key=f"key-{identifier:08d}",
                created_at=moment,
                updated_at=moment,
            )
        )


async def _counts(connection) -> dict[tuple, int]:
    rows = await connection.execute(sa.select(position_counts).where(position_counts.c.count != 0))
    return {(km, position, bool(under), organisation): n for km, position, under, organisation, n in rows}


async def _schema_objects(connection) -> set[str]:
    """Tables, triggers and functions named position_counts_*."""
    if connection.dialect.name == "postgresql":
        query = """SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION ALL SELECT proname FROM pg_proc
                   UNION ALL SELECT tablename FROM pg_tables"""
    else:
        query = "SELECT name FROM sqlite_master"
    names = (await connection.execute(sa.text(query))).scalars()
    return {name for name in names if name.startswith("position_counts")}


async def test_the_counts_are_back_filled_kept_and_removed(database_url, tmp_path):
    url = await fresh_database_url(database_url, "position_counts", tmp_path)
    assert alembic(url, "upgrade", BEFORE).returncode == 0
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        await _insert_text(connection)
        await _insert_contributions(connection)
    result = alembic(url, "upgrade", REVISION)
    assert result.returncode == 0, result.stderr
    async with engine.begin() as connection:
        assert await _counts(connection) == EXPECTED
        assert {"position_counts_after_insert", "position_counts_after_update", "position_counts_after_delete"} <= (
            await _schema_objects(connection)
        )
        # From now on the triggers count: the hidden position is restored.
        await connection.execute(contributions.update().where(contributions.c.id == 8).values(status="visible"))
        assert await _counts(connection) == {**EXPECTED, (2, "support", True, 1): 1}

    result = alembic(url, "downgrade", BEFORE)
    assert result.returncode == 0, result.stderr
    async with engine.begin() as connection:
        assert await _schema_objects(connection) == set()
        # Writes go on without the triggers.
        await connection.execute(contributions.update().where(contributions.c.id == 8).values(status="hidden"))

    result = alembic(url, "upgrade", REVISION)
    assert result.returncode == 0, result.stderr
    async with engine.connect() as connection:
        assert await _counts(connection) == EXPECTED
    await engine.dispose()
