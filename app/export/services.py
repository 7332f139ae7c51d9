"""Export a consultation in a format, and record who did."""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation
from app.export.builders import build_consultation_export
from app.export.models import ExportRecord
from app.export.writers import WRITERS

FORMATS = tuple(WRITERS)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


async def export_consultation(
    db: AsyncSession, consultation: Consultation, fmt: str, *, user: User | None, channel: str
) -> ExportFile:
    write, media_type = WRITERS[fmt]
    built = await build_consultation_export(db, consultation)
    # Serialising every contribution is CPU work: in a thread, so the worker's other requests go on.
    content = await to_thread.run_sync(write, built)
    db.add(
        ExportRecord(user_id=user.id if user else None, consultation_id=consultation.id, format=fmt, channel=channel)
    )
    await db.flush()
    return ExportFile(content, media_type, f"roundtable-{consultation.slug}.{fmt}")
