"""Export a consultation in a format, and record who did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation
from app.export.builders import ExportInput, assemble_export, load_export_input
from app.export.models import ExportRecord
from app.export.writers import WRITERS

FORMATS = tuple(WRITERS)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def _built_and_written(
    write: Callable[[dict[str, Any]], bytes], consultation: Consultation, loaded: ExportInput
) -> bytes:
    """The file's bytes. What it was made of is let go here too: freeing the records of a
    large consultation takes a tenth of a second, which the event loop would otherwise pay."""
    content = write(assemble_export(consultation, loaded))
    loaded.contributions.clear()
    return content


async def export_consultation(
    db: AsyncSession, consultation: Consultation, fmt: str, *, user: User | None, channel: str
) -> ExportFile:
    write, media_type = WRITERS[fmt]
    loaded = await load_export_input(db, consultation)
    # Building and serialising every contribution is CPU work: in a thread, so the worker's
    # other requests go on.
    content = await to_thread.run_sync(_built_and_written, write, consultation, loaded)
    db.add(
        ExportRecord(user_id=user.id if user else None, consultation_id=consultation.id, format=fmt, channel=channel)
    )
    await db.flush()
    return ExportFile(content, media_type, f"roundtable-{consultation.slug}.{fmt}")
