"""The restore drill (issue 14): a database with data of every kind and a position paper is
backed up with `roundtable backup`, wiped, restored with `roundtable restore`, and every
table is compared row for row with what it held, and the paper downloaded; on SQLite and on
PostgreSQL. Papers are in the database, so a backup holds no folder of them; an older
backup's folder goes back on restore. A damaged or foreign backup is refused before
anything is replaced."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import inspect, make_url, text

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.attachments import Paper, add_paper
from app.main import create_app
from app.settings import PROJECT_ROOT, load_settings
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.factories import make_position, make_user

ROUNDTABLE = str(Path(sys.executable).parent / "roundtable")
PYTHONPATH = os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ROUNDTABLE, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


@pytest.fixture
async def site(database_url, tmp_path):
    url = await fresh_database_url(database_url, "backup", tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": "backup-test"}
    env["PYTHONPATH"] = PYTHONPATH
    for args in (["db", "upgrade"], ["seed"], ["demo-data", "--contributions", "60", "--key-message", "RT2-KM3"]):
        result = run(env, *args)
        assert result.returncode == 0, result.stderr
    return env


@pytest.fixture
async def paper(site) -> tuple[int, bytes]:
    """A published position paper anyone may download: its id and bytes."""
    content = b"%PDF-1.4\n" + os.urandom(1024 * 1024 + 100)  # two chunks
    engine = make_engine(site["DATABASE_URL"], null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SEED_SLUG)
            assert consultation is not None
            position = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
            attachment = await add_paper(db, position.id, Paper(content, "Our paper.pdf", 1))
            await db.commit()
            return attachment.id, content
    finally:
        await engine.dispose()


async def download(env: dict[str, str], attachment_id: int) -> httpx.Response:
    """As a reader not signed in, from a site running on `env`'s database."""
    engine = make_engine(env["DATABASE_URL"], null_pool=True)
    try:
        site = create_app(load_settings(env), sessionmaker=make_sessionmaker(engine))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://testserver") as client:
            return await client.get(f"/attachments/{attachment_id}")
    finally:
        await engine.dispose()


async def every_table(url: str) -> dict[str, str]:
    """Each table's rows, sorted, as one digest: equal digests, equal tables."""
    engine = make_engine(url, null_pool=True)
    digests = {}
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            for table in sorted(tables):
                query = text(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the database's own catalogue
                rows = (await connection.execute(query)).all()
                digests[table] = (
                    f"{len(rows)}:"
                    + hashlib.sha256(repr(sorted(tuple(map(str, r)) for r in rows)).encode()).hexdigest()
                )
    finally:
        await engine.dispose()
    return digests


async def wipe(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        await asyncio.to_thread(Path(parsed.database).unlink)
        return
    admin = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username, database="postgres")
    try:
        await admin.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()


async def test_back_up_wipe_restore_and_every_table_is_as_it_was(site, paper, tmp_path):
    url = site["DATABASE_URL"]
    attachment_id, content = paper
    before = await every_table(url)
    assert int(before["contributions"].split(":")[0]) >= 60 and "alembic_version" in before
    assert int(before["attachment_chunks"].split(":")[0]) == 2
    backup = tmp_path / "backup"
    made = run(site, "backup", "--out", str(backup))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["backend"] in ("sqlite", "postgresql") and len(manifest["files"]) == 1  # the database alone
    assert not (backup / "attachments").exists()

    await wipe(url)
    assert (await download(site, attachment_id)).status_code != 200

    restored = run(site, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert await every_table(url) == before
    downloaded = await download(site, attachment_id)
    assert downloaded.status_code == 200 and downloaded.content == content
    assert not (tmp_path / "var" / "attachments").exists()
    # The restored site still migrates and serves: its schema is current.
    assert run(site, "db", "upgrade").returncode == 0


async def test_an_older_backups_folder_of_papers_goes_back_for_the_migration(site, tmp_path):
    """A backup made while papers were files holds them in `attachments/`: restored, they are
    where the migration (or `roundtable papers import`) takes them from."""
    backup = tmp_path / "backup"
    assert run(site, "backup", "--out", str(backup)).returncode == 0
    old_paper = b"%PDF-1.4 a position paper from before"
    (backup / "attachments").mkdir()
    (backup / "attachments" / ("3f2a" * 8)).write_bytes(old_paper)
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"][f"attachments/{'3f2a' * 8}"] = hashlib.sha256(old_paper).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))
    papers = tmp_path / "var" / "attachments"
    papers.mkdir(parents=True, exist_ok=True)
    (papers / "written-after-the-backup").write_bytes(b"%PDF gone after restore")

    restored = run(site, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert [(p.name, p.read_bytes()) for p in papers.iterdir()] == [("3f2a" * 8, old_paper)]


async def test_a_damaged_backup_is_refused_before_anything_is_replaced(site, tmp_path):
    backup = tmp_path / "backup"
    assert run(site, "backup", "--out", str(backup)).returncode == 0
    before = await every_table(site["DATABASE_URL"])
    database = next(p for p in backup.iterdir() if p.name.startswith("database."))
    database.write_bytes(database.read_bytes()[:-100])
    refused = run(site, "restore", str(backup))
    assert refused.returncode == 1 and "damaged or incomplete" in refused.stderr and refused.stderr.count("\n") == 1
    assert await every_table(site["DATABASE_URL"]) == before


def test_a_folder_that_is_not_a_backup_or_not_empty_is_refused(site, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    refused = run(site, "backup", "--out", str(tmp_path / "full"))
    assert refused.returncode == 1 and "is not empty" in refused.stderr
    refused = run(site, "restore", str(tmp_path / "full"))
    assert refused.returncode == 1 and "not a Roundtable backup" in refused.stderr
