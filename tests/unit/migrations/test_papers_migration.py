"""Position papers move from the attachments folder into the database (a4d9e2c7f1b6 makes
the table, c8f1b5d3e9a2 moves the files): a file that is there with the bytes recorded at
upload is stored whole, one missing or changed is named and left for `roundtable papers
import`, and the files stay on disk. The downgrade writes every stored paper back, papers
uploaded since under new names. On SQLite the table is rebuilt: its triggers must survive."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from app.consultation.seed import load_seed, read_seed_file
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from tests.conftest import SEED_FILE, SEED_SLUG
from tests.databases import fresh_database_url
from tests.factories import make_position, make_user
from tests.unit.migrations.test_migrations import alembic

BEFORE, HEAD = "b2c6e8a4d0f1", "c8f1b5d3e9a2"
NAMES = {"present": "a" * 32, "missing": "b" * 32, "changed": "c" * 32}
MEGABYTE = 1024 * 1024
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

attachments = sa.table(
    "attachments",
    *(sa.column(c) for c in ("id", "contribution_id", "storage_name", "original_name", "content_type")),
    *(sa.column(c) for c in ("size_bytes", "sha256")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
chunks = sa.table("attachment_chunks", sa.column("attachment_id"), sa.column("seq"), sa.column("data", sa.LargeBinary))


def _row(number: int, contribution_id: int, name: str | None, content: bytes) -> dict[str, object]:
    return {
        "id": number,
        "contribution_id": contribution_id,
        "storage_name": name,
        "original_name": f"paper {number}.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "created_at": T0,
    }


async def _a_contribution(engine) -> int:  # type: ignore[no-untyped-def]
    async with make_sessionmaker(engine)() as db:
        await load_seed(db, read_seed_file(SEED_FILE))
        consultation = await consultation_by_slug(db, SEED_SLUG)
        assert consultation is not None
        contribution = await make_position(db, consultation, author=await make_user(db))
        await db.commit()
        return contribution.id


async def _stored(engine, attachment_id: int) -> bytes:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        query = sa.select(chunks.c.data).where(chunks.c.attachment_id == attachment_id).order_by(chunks.c.seq)
        return b"".join((await connection.execute(query)).scalars())


async def _schema(engine) -> tuple[set[str], bool, list[str]]:  # type: ignore[no-untyped-def]
    """Tables, whether storage_name may be NULL, and (SQLite) the triggers on attachments."""
    async with engine.connect() as connection:

        def read(sync: sa.Connection) -> tuple[set[str], bool, list[str]]:
            inspector = sa.inspect(sync)
            column = next(c for c in inspector.get_columns("attachments") if c["name"] == "storage_name")
            triggers: list[str] = []
            if sync.dialect.name == "sqlite":
                query = (
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attachments' ORDER BY name"
                )
                triggers = list(sync.exec_driver_sql(query).scalars())
            return set(inspector.get_table_names()), bool(column["nullable"]), triggers

        return await connection.run_sync(read)


async def test_papers_move_into_the_database_and_back_out(database_url, tmp_path):
    url = await fresh_database_url(database_url, "papers_migration", tmp_path)
    var_dir = tmp_path / "var"
    folder = var_dir / "attachments"
    folder.mkdir(parents=True)
    assert alembic(url, "upgrade", BEFORE).returncode == 0
    engine = make_engine(url, null_pool=True)
    try:
        contribution_id = await _a_contribution(engine)
        contents = {kind: b"%PDF-1.4\n" + os.urandom(MEGABYTE + 10) for kind in NAMES}  # two chunks each
        async with engine.begin() as connection:
            for number, (kind, name) in enumerate(NAMES.items(), start=1):
                await connection.execute(
                    attachments.insert().values(_row(number, contribution_id, name, contents[kind]))
                )
        (folder / NAMES["present"]).write_bytes(contents["present"])
        (folder / NAMES["changed"]).write_bytes(b"%PDF-1.4 other bytes")
        _, nullable, triggers_before = await _schema(engine)
        assert not nullable and (len(triggers_before) == 3 or engine.dialect.name != "sqlite")  # thread versions

        upgraded = alembic(url, "upgrade", HEAD, var_dir=var_dir)
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"position papers: 1 moved into the database from {folder}, 2 missing" in upgraded.stderr
        assert f"2 ({NAMES['missing']})" in upgraded.stderr and f"3 ({NAMES['changed']})" in upgraded.stderr
        assert await _stored(engine, 1) == contents["present"]
        assert await _stored(engine, 2) == await _stored(engine, 3) == b""
        assert sorted(p.name for p in folder.iterdir()) == [NAMES["present"], NAMES["changed"]]  # left on disk
        tables, nullable, triggers_after = await _schema(engine)
        assert "attachment_chunks" in tables and nullable and triggers_after == triggers_before

        # A paper uploaded after the upgrade: in the database only, no file name.
        uploaded = b"%PDF-1.4\nuploaded since"
        async with engine.begin() as connection:
            await connection.execute(attachments.insert().values(_row(4, contribution_id, None, uploaded)))
            await connection.execute(chunks.insert().values(attachment_id=4, seq=0, data=uploaded))
        (folder / NAMES["present"]).unlink()

        downgraded = alembic(url, "downgrade", BEFORE, var_dir=var_dir)
        assert downgraded.returncode == 0, downgraded.stderr
        assert f"position papers: 2 written back to {folder}" in downgraded.stderr
        async with engine.connect() as connection:
            names = dict((await connection.execute(sa.select(attachments.c.id, attachments.c.storage_name))).all())
        assert names[1] == NAMES["present"] and re.fullmatch(r"[0-9a-f]{32}", names[4])
        assert (folder / names[1]).read_bytes() == contents["present"]
        assert (folder / names[4]).read_bytes() == uploaded
        assert (folder / NAMES["changed"]).read_bytes() == b"%PDF-1.4 other bytes"  # not touched
        tables, nullable, triggers = await _schema(engine)
        assert "attachment_chunks" not in tables and not nullable and triggers == triggers_before
    finally:
        await engine.dispose()
