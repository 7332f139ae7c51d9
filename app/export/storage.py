"""Export files in the database: stored a chunk at a time from a temporary file, read back a
chunk at a time, refused once expired and deleted by the purge.

Size: files up to a few hundred megabytes (each chunk one row of CHUNK_BYTES); beyond that
object storage would be the place."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from anyio import to_thread
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.export.models import ExportFile, ExportFileChunk

#: How long a file can be downloaded (issue 12: links expire after seven days).
KEEP = timedelta(days=7)
#: Bytes per stored chunk: one megabyte in memory at a time, writing or reading.
CHUNK_BYTES = 1024 * 1024
#: Chunks written per transaction (8 MB: about a third of a second of SQLite's write lock).
COMMIT_CHUNKS = 8


@dataclass(frozen=True)
class Digest:
    size: int
    sha256: str


def digest_of(stream: BinaryIO) -> Digest:
    """Size and SHA-256 of the whole stream, read in chunks (blocking: call in a thread)."""
    stream.seek(0)
    hasher, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_BYTES):
        hasher.update(chunk)
        size += len(chunk)
    return Digest(size, hasher.hexdigest())


async def store_file(db: AsyncSession, stream: BinaryIO, **fields: Any) -> ExportFile:
    """Add the file (metadata `fields`) and its bytes from `stream`, committing every
    COMMIT_CHUNKS chunks: on SQLite a large file never holds the write lock for long. Until
    its job is done the file is not served (a worker that dies leaves part of one, which the
    job's next attempt deletes: delete_partial_file)."""
    created = utcnow()
    stored = ExportFile(**fields, created_at=created, expires_at=created + KEEP)
    db.add(stored)
    await db.flush()
    stream.seek(0)
    seq = 0
    while chunk := await to_thread.run_sync(stream.read, CHUNK_BYTES):
        # A Core insert: no object per chunk stays in the session.
        await db.execute(insert(ExportFileChunk).values(export_file_id=stored.id, seq=seq, data=chunk))
        seq += 1
        if seq % COMMIT_CHUNKS == 0:
            await db.commit()
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


async def chunks_of(db: AsyncSession, file_id: int) -> AsyncIterator[bytes]:
    """The file's bytes, one chunk per query."""
    seq = 0
    while (
        chunk := await db.scalar(
            select(ExportFileChunk.data).where(ExportFileChunk.export_file_id == file_id, ExportFileChunk.seq == seq)
        )
    ) is not None:
        yield chunk
        seq += 1


async def purge_expired(db: AsyncSession, now: datetime | None = None) -> int:
    """Delete expired files with their chunks; how many files went. The caller commits."""
    expired = select(ExportFile.id).where(ExportFile.expires_at <= (now or utcnow()))
    await db.execute(delete(ExportFileChunk).where(ExportFileChunk.export_file_id.in_(expired)))
    result = await db.execute(delete(ExportFile).where(ExportFile.id.in_(expired)))
    return int(getattr(result, "rowcount", 0) or 0)
