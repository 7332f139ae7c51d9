"""Reading part of a chunked file (app.chunks.read_chunks): the bytes asked for and no others,
across chunk boundaries, starting at the chunk that holds the first byte."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncSession

from app.chunks import CHUNK_BYTES, read_chunks
from app.consultation.models import Consultation
from app.discussion.attachments import Paper, add_paper
from app.discussion.models import AttachmentChunk
from tests.factories import make_position, make_user

#: 2.5 MB: two whole chunks and half of a third.
CONTENT = os.urandom(CHUNK_BYTES * 5 // 2)
SIZE = len(CONTENT)
OWNER = AttachmentChunk.attachment_id


@pytest.fixture
async def stored(db: AsyncSession, consultation: Consultation) -> int:
    """The id of a 2.5 MB file in three chunks (a paper's, though any owner would do)."""
    contribution = await make_position(db, consultation, author=await make_user(db))
    attachment = await add_paper(db, contribution.id, Paper(CONTENT, "Large.pdf", 1))
    return attachment.id


async def read(db: AsyncSession, owner_id: int, start: int, end: int) -> bytes:
    return b"".join([piece async for piece in read_chunks(db, OWNER, owner_id, start, end)])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, SIZE - 1),  # the whole file
        (10, 20),  # inside the first chunk
        (CHUNK_BYTES + 5, CHUNK_BYTES + 5),  # one byte inside the second
        (CHUNK_BYTES - 3, CHUNK_BYTES + 2),  # across the first boundary
        (CHUNK_BYTES - 1, CHUNK_BYTES),  # the two bytes either side of it
        (CHUNK_BYTES, 2 * CHUNK_BYTES - 1),  # exactly the second chunk
        (100, 2 * CHUNK_BYTES + 100),  # spanning all three
        (SIZE - 1, SIZE - 1),  # the last byte
        (SIZE - 200, SIZE - 1),  # a suffix
        (SIZE * 9 // 10, SIZE - 1),  # a download resumed at 90%
    ],
)
async def test_a_range_reads_exactly_its_bytes(db: AsyncSession, stored: int, start: int, end: int) -> None:
    assert await read(db, stored, start, end) == CONTENT[start : end + 1]


async def test_an_empty_range_reads_nothing(db: AsyncSession, stored: int) -> None:
    assert await read(db, stored, 0, -1) == b""


async def test_reading_starts_at_the_chunk_holding_the_first_byte(db: AsyncSession, stored: int) -> None:
    """With the earlier chunks gone, a range after them still reads: they were never asked for."""
    await db.execute(delete(AttachmentChunk).where(OWNER == stored, AttachmentChunk.seq < 2))
    start = 2 * CHUNK_BYTES + 7
    assert await read(db, stored, start, SIZE - 1) == CONTENT[start:]


async def test_one_query_per_chunk_read(db: AsyncSession, stored: int) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sync_engine = (await db.connection()).sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        await read(db, stored, CHUNK_BYTES + 1, 2 * CHUNK_BYTES + 1)  # chunks 1 and 2
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len(statements) == 2


async def test_a_missing_chunk_ends_the_bytes_short(db: AsyncSession, stored: int) -> None:
    await db.execute(delete(AttachmentChunk).where(OWNER == stored, AttachmentChunk.seq == 1))
    assert await read(db, stored, 0, SIZE - 1) == CONTENT[:CHUNK_BYTES]
