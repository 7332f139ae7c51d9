"""Export files in the database: stored a chunk at a time from a temporary file (app.chunks),
read back a chunk at a time, refused once expired and deleted by the purge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chunks import read_chunks, write_chunks
from app.db import utcnow
from app.export.models import ExportFile, ExportFileChunk

#: How long a file can be downloaded (issue 12: links expire after seven days).
KEEP = timedelta(days=7)
#: Chunks written per transaction (8 MB: about a third of a second of SQLite's write lock).
COMMIT_CHUNKS = 8


async def store_file(db: AsyncSession, stream: BinaryIO, **fields: Any) -> ExportFile:
    """Add the file (metadata `fields`) and its bytes from `stream`, committing every
    COMMIT_CHUNKS chunks: on SQLite a large file never holds the write lock for long. Until
    its job is done the file is not served (a worker that dies leaves part of one, which the
    job's next attempt deletes: delete_partial_file)."""
    created = utcnow()
    stored = ExportFile(**fields, created_at=created, expires_at=created + KEEP)
    db.add(stored)
    await db.flush()
    await write_chunks(db, ExportFileChunk.export_file_id, stored.id, stream, commit_every=COMMIT_CHUNKS)
    await db.commit()
    return stored


async def delete_partial_file(db: AsyncSession, job_id: int) -> None:
    """What an earlier attempt of the job stored before its worker died."""
    ids = select(ExportFile.id).where(ExportFile.job_id == job_id)
    await db.execute(delete(ExportFileChunk).where(ExportFileChunk.export_file_id.in_(ids)))
    await db.execute(delete(ExportFile).where(ExportFile.job_id == job_id))


def is_expired(stored: ExportFile, now: datetime | None = None) -> bool:
    expires = stored.expires_at
    aware = expires if expires.tzinfo else expires.replace(tzinfo=UTC)  # SQLite gives it back naive
    return aware <= (now or utcnow())


async def file_of_job(db: AsyncSession, job_id: int) -> ExportFile | None:
    return await db.scalar(select(ExportFile).where(ExportFile.job_id == job_id))


def chunks_of(db: AsyncSession, file_id: int, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
    """Bytes `start` to `end` of the file, the whole of it by default (a download, whole or
    resumed), one chunk per query."""
    return read_chunks(db, ExportFileChunk.export_file_id, file_id, start, end)


async def purge_expired(db: AsyncSession, now: datetime | None = None) -> int:
    """Delete expired files with their chunks; how many files went. The caller commits."""
    expired = select(ExportFile.id).where(ExportFile.expires_at <= (now or utcnow()))
    await db.execute(delete(ExportFileChunk).where(ExportFileChunk.export_file_id.in_(expired)))
    result = await db.execute(delete(ExportFile).where(ExportFile.id.in_(expired)))
    return int(getattr(result, "rowcount", 0) or 0)
