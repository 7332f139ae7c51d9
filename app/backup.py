"""Backups that can be restored (issue 14): `roundtable backup --out DIR` and
`roundtable restore DIR`.

A backup is a folder: the database (PostgreSQL through pg_dump's custom format, which
pg_restore reads table by table; SQLite through its online backup API, consistent while the
site writes), position papers included, and manifest.json naming the database kind, the
schema's migration and each file's SHA-256. A backup made while papers were still files on
disk also holds their `attachments` folder: restoring it puts the folder back, where the
migration that moves papers into the database (or `roundtable papers import`) takes them.
Restoring checks every file against the manifest first, so a damaged or partial backup is
refused before anything is replaced. Passwords go to pg_dump and pg_restore through the
environment, never on a command line others can read."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.db import is_sqlite, make_engine
from app.settings import Settings

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.pgdump"
#: Older backups' folder of position papers, from when they were files.
PAPERS = "attachments"


class BackupError(Exception):
    """A backup that cannot be made or restored, said in one line for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    backend: str
    revision: str | None
    files: int


async def back_up(settings: Settings, out: Path) -> BackupSummary:
    await asyncio.to_thread(_prepare_folder, out)
    revision = await _revision(settings.database_url)
    if is_sqlite(settings.database_url):
        backend = "sqlite"
        await asyncio.to_thread(_sqlite_copy, _sqlite_path(settings.database_url), out / SQLITE_FILE)
    else:
        backend = "postgresql"
        url = make_url(settings.database_url)
        await _run(["pg_dump", "--format=custom", "--no-owner", f"--file={out / POSTGRESQL_FILE}"], url)
    files = await asyncio.to_thread(_checksums, out)
    manifest = {
        "format": FORMAT_VERSION,
        "backend": backend,
        "revision": revision,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    await asyncio.to_thread(_write_manifest, out, manifest)
    return BackupSummary(out, backend, revision, len(files))


async def restore(settings: Settings, source: Path) -> BackupSummary:
    manifest = _read_manifest(source)
    listed: dict[str, str] = manifest["files"]  # type: ignore[assignment]
    present = await asyncio.to_thread(_checksums, source)
    damaged = [name for name, digest in present.items() if digest != listed.get(name)]
    missing = sorted(set(listed) - set(present))
    if damaged or missing:
        raise BackupError(f"the backup in {source} is damaged or incomplete: {', '.join([*damaged, *missing][:5])}")
    backend = "sqlite" if is_sqlite(settings.database_url) else "postgresql"
    if manifest["backend"] != backend:
        raise BackupError(f"the backup is of a {manifest['backend']} database; DATABASE_URL names a {backend} one")
    if backend == "sqlite":
        await asyncio.to_thread(_sqlite_copy, source / SQLITE_FILE, _sqlite_path(settings.database_url))
    else:
        url = make_url(settings.database_url)
        # One transaction: a restore that fails leaves the database as it was.
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        await _run([*command, f"--dbname={url.database}", str(source / POSTGRESQL_FILE)], url)
    await asyncio.to_thread(_replace_tree, source / PAPERS, settings.attachments_dir)
    revision = manifest.get("revision")
    return BackupSummary(source, backend, revision if isinstance(revision, str) else None, len(listed))


def _prepare_folder(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: a backup goes into a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)


def _write_manifest(out: Path, manifest: dict[str, object]) -> None:
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _read_manifest(source: Path) -> dict[str, object]:
    try:
        manifest: dict[str, object] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: not a Roundtable backup") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{source / MANIFEST} cannot be read: {error}") from None
    readable = isinstance(manifest, dict) and manifest.get("format") == FORMAT_VERSION
    if not readable or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{source / MANIFEST} is not a manifest this version reads")
    return manifest


async def _revision(database_url: str) -> str | None:
    engine = make_engine(database_url, null_pool=True)
    try:
        async with engine.connect() as connection:
            revision: str | None = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            return revision
    finally:
        await engine.dispose()


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the site writes, page by page."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _checksums(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
            found[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return found


def _replace_tree(source: Path, target: Path) -> None:
    """An older backup's papers as it has them; none in the backup: the ones here stay."""
    if not source.is_dir():
        return
    staging = target.with_name(target.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)


async def _run(command: list[str], url: URL) -> None:
    """pg_dump or pg_restore against `url`, its password in the environment."""
    env = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGDATABASE": url.database or "",
    }
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    _, stderr = await process.communicate()
    if process.returncode != 0:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise BackupError(f"{command[0]} failed: {last[0]}")
