"""`roundtable papers import DIR`: the files of papers uploaded before papers moved into the
database, still on another machine's disk, are taken in when their SHA-256 is the one
recorded at upload; a file with other bytes is refused and named; a second run changes
nothing; a folder that is not there is one clear error."""

from __future__ import annotations

import hashlib
import os

import pytest

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.attachments import Paper, add_paper, paper_bytes
from app.discussion.models import Attachment
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.factories import make_position, make_user
from tests.unit.cli.test_cli import PYTHONPATH, run

NAMES = {"waiting": "1" * 32, "changed": "2" * 32, "missing": "3" * 32, "stored": "4" * 32}


@pytest.fixture
async def site(database_url, tmp_path) -> dict[str, str]:
    url = await fresh_database_url(database_url, "cli_papers", tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": "cli-test"}
    env["PYTHONPATH"] = PYTHONPATH
    for args in (["db", "upgrade"], ["seed"]):
        result = run(env, *args)
        assert result.returncode == 0, result.stderr
    return env


async def _papers(url: str, contents: dict[str, bytes]) -> dict[str, int]:
    """Papers from before the move (a file name, no bytes stored) and one stored already."""
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SEED_SLUG)
            assert consultation is not None
            contribution = await make_position(db, consultation, author=await make_user(db))
            ids = {}
            for kind, content in contents.items():
                if kind == "stored":
                    paper = await add_paper(db, contribution.id, Paper(content, "stored.pdf", 1))
                    paper.storage_name = NAMES[kind]
                else:
                    paper = Attachment(
                        contribution_id=contribution.id,
                        storage_name=NAMES[kind],
                        original_name=f"{kind}.pdf",
                        content_type="application/pdf",
                        size_bytes=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                    )
                    db.add(paper)
                await db.flush()
                ids[kind] = paper.id
            await db.commit()
            return ids
    finally:
        await engine.dispose()


async def _stored(url: str, attachment_id: int) -> bytes:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            return b"".join([chunk async for chunk in paper_bytes(db, attachment_id)])
    finally:
        await engine.dispose()


async def test_papers_are_imported_by_name_and_checksum_once(site, tmp_path):
    contents = {kind: b"%PDF-1.4\n" + os.urandom(2000) for kind in NAMES}
    ids = await _papers(site["DATABASE_URL"], contents)
    folder = tmp_path / "from-machine-b"
    folder.mkdir()
    (folder / NAMES["waiting"]).write_bytes(contents["waiting"])
    (folder / NAMES["changed"]).write_bytes(b"%PDF-1.4 damaged")
    (folder / NAMES["stored"]).write_bytes(contents["stored"])
    (folder / "notes.txt").write_text("not a paper")

    first = run(site, "papers", "import", str(folder))

    assert first.returncode == 1
    assert first.stdout.strip() == (
        "imported 1 paper(s); 1 already in the database; 1 file(s) of no paper left alone; "
        "2 paper(s) still without their file"
    )
    assert first.stderr.strip() == (
        f"roundtable: error: refused 1 file(s) whose SHA-256 is not their paper's: {NAMES['changed']}"
    )
    assert await _stored(site["DATABASE_URL"], ids["waiting"]) == contents["waiting"]
    assert await _stored(site["DATABASE_URL"], ids["changed"]) == b""

    (folder / NAMES["changed"]).write_bytes(contents["changed"])
    second = run(site, "papers", "import", str(folder))
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("imported 1 paper(s); 2 already in the database;")
    assert await _stored(site["DATABASE_URL"], ids["changed"]) == contents["changed"]
    third = run(site, "papers", "import", str(folder))
    assert third.stdout.startswith("imported 0 paper(s); 3 already in the database;")
    assert third.stdout.strip().endswith("1 paper(s) still without their file")  # the missing one
    assert await _stored(site["DATABASE_URL"], ids["waiting"]) == contents["waiting"]  # not stored twice

    nowhere = run(site, "papers", "import", str(tmp_path / "nowhere"))
    assert (
        nowhere.returncode == 1
        and nowhere.stderr.strip() == f"roundtable: error: {tmp_path / 'nowhere'} is not a folder"
    )
