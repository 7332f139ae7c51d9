"""Files kept in the database as numbered rows of at most CHUNK_BYTES (export files, position
papers): any machine serves them, none holds one whole in memory, and no single value nears a
database's limit. Beyond a few hundred megabytes a file would belong in object storage."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

from anyio import to_thread
from sqlalchemy import Integer, LargeBinary, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

#: Bytes per stored chunk: one megabyte in memory at a time, writing or reading.
CHUNK_BYTES = 1024 * 1024


class ChunkColumns:
    """A chunk table's own columns; the table adds its owner's key, the other half of the
    primary key (AttachmentChunk.attachment_id, ExportFileChunk.export_file_id)."""

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


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


async def write_chunks(
    db: AsyncSession, owner: InstrumentedAttribute[int], owner_id: int, stream: BinaryIO, *, commit_every: int = 0
) -> int:
    """Store `stream` from its start as the chunks of `owner_id` (`owner`: the chunk table's
    key column), committing every `commit_every` chunks if given (else the caller commits,
    and the file is stored in its transaction); how many chunks were written."""
    table = owner.class_
    stream.seek(0)
    seq = 0
    while chunk := await to_thread.run_sync(stream.read, CHUNK_BYTES):
        # A Core insert: no object per chunk stays in the session.
        await db.execute(insert(table).values({owner.key: owner_id, "seq": seq, "data": chunk}))
        seq += 1
        if commit_every and seq % commit_every == 0:
            await db.commit()
    return seq


async def read_chunks(
    db: AsyncSession, owner: InstrumentedAttribute[int], owner_id: int, start: int = 0, end: int | None = None
) -> AsyncIterator[bytes]:
    """The file's bytes `start` to `end` (both included; the whole file by default), one chunk
    per query, from the chunk holding `start` (chunk n holds bytes n·CHUNK_BYTES to
    (n+1)·CHUNK_BYTES - 1): a download resumed at 90% reads only the last tenth. Nothing for
    an empty range (`end` < `start`); a file with fewer chunks than asked for ends short."""
    if end is not None and end < start:
        return
    table = owner.class_
    seq = start // CHUNK_BYTES
    while end is None or seq * CHUNK_BYTES <= end:
        chunk = await db.scalar(select(table.data).where(owner == owner_id, table.seq == seq))
        if chunk is None:
            return
        offset = seq * CHUNK_BYTES
        yield chunk[max(start - offset, 0) : None if end is None else end - offset + 1]
        seq += 1


def entity_tag(sha256: str) -> str:
    """A stored file's strong HTTP tag: its bytes never change once stored, and their SHA-256
    names them (papers and export files alike; If-Range needs a strong tag to resume)."""
    return f'"{sha256}"'


async def has_chunks(db: AsyncSession, owner: InstrumentedAttribute[int], owner_id: int) -> bool:
    """Whether any of the file's bytes are stored."""
    return bool(await db.scalar(select(exists().where(owner == owner_id))))
