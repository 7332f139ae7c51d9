"""`roundtable papers import DIR`: papers uploaded before they moved into the database, whose
files the migration could not find because they were on another machine's disk, are taken
from a folder of those files. A file is matched to its paper by its stored name and taken
only if its SHA-256 is the one recorded at upload; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chunks import digest_of, write_chunks
from app.discussion.models import Attachment, AttachmentChunk


@dataclass
class PaperImport:
    """What an import did, for the operator."""

    imported: int = 0
    #: Files of papers whose bytes were in the database already.
    already_stored: int = 0
    #: Files that are no paper's (another site's, or not papers at all): left alone.
    unknown: int = 0
    #: Files named as a paper but with other bytes: refused.
    refused: list[str] = field(default_factory=list)
    #: Papers whose bytes are still nowhere in the database, after the import.
    still_missing: int = 0


async def import_papers(db: AsyncSession, folder: Path) -> PaperImport:
    """Each paper is committed on its own: on SQLite no import holds the write lock for long,
    and one cut short keeps what it took."""
    if not await to_thread.run_sync(folder.is_dir):
        raise NotADirectoryError(f"{folder} is not a folder")
    report = PaperImport()
    waiting = await _papers_by_file_name(db)
    for path in await to_thread.run_sync(_files_in, folder):
        paper = waiting.get(path.name)
        if paper is None:
            report.unknown += 1
        elif paper[1]:
            report.already_stored += 1
        elif await _take(db, paper[0], path):
            report.imported += 1
        else:
            report.refused.append(path.name)
    report.still_missing = await _count_missing(db)
    return report


async def _papers_by_file_name(db: AsyncSession) -> dict[str, tuple[Attachment, bool]]:
    """Papers that were files, by file name, and whether their bytes are stored."""
    stored = select(AttachmentChunk.attachment_id).distinct()
    rows = await db.execute(select(Attachment, Attachment.id.in_(stored)).where(Attachment.storage_name.is_not(None)))
    return {str(attachment.storage_name): (attachment, bool(is_stored)) for attachment, is_stored in rows}


async def _take(db: AsyncSession, paper: Attachment, path: Path) -> bool:
    stream = await to_thread.run_sync(_open, path)
    try:
        digest = await to_thread.run_sync(digest_of, stream)
        if digest.sha256 != paper.sha256:
            return False
        await write_chunks(db, AttachmentChunk.attachment_id, paper.id, stream)
        await db.commit()
        return True
    finally:
        await to_thread.run_sync(stream.close)


async def _count_missing(db: AsyncSession) -> int:
    stored = select(AttachmentChunk.attachment_id).distinct()
    return int(await db.scalar(select(func.count()).select_from(Attachment).where(Attachment.id.not_in(stored))) or 0)


def _files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file())


def _open(path: Path) -> BinaryIO:
    return path.open("rb")
