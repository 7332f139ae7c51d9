"""Export a consultation in a format, and record who did."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.export.csv_export import CSV_FORMAT
from app.export.formats import FORMATS as FORMATS  # the page checks the format it is asked for
from app.export.formats import ExportRequest, Format, data_as_of
from app.export.json_export import JSON_FORMAT
from app.export.models import ExportRecord

#: The formats of the web page's buttons, until its exports become background jobs.
BUILT_IN: tuple[Format, ...] = (JSON_FORMAT, CSV_FORMAT)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


async def _no_progress(_share: float) -> None:
    return None


async def export_request(
    db: AsyncSession, consultation: Consultation, selection: Selection, language: str = "en"
) -> ExportRequest:
    """A request for the selection, at the time of its data (app.export.formats.data_as_of)."""
    return ExportRequest(consultation, selection, await data_as_of(db, consultation, selection), language)


async def export_consultation(
    db: AsyncSession, consultation: Consultation, fmt: str, *, user: User | None, channel: str
) -> ExportFile:
    """The whole consultation in one format, as bytes, for the download in the request (the
    page's, until its exports run as jobs): the response holds the whole file anyway."""
    chosen = FORMATS[fmt]
    request = await export_request(db, consultation, Selection())
    out = io.BytesIO()
    await chosen.write(db, request, out, _no_progress)
    content = out.getvalue()
    await record_export(db, consultation, fmt, user=user, channel=channel)
    return ExportFile(content, chosen.media_type, f"roundtable-{consultation.slug}.{fmt}")


async def record_export(
    db: AsyncSession, consultation: Consultation, fmt: str, *, user: User | None, channel: str
) -> None:
    db.add(
        ExportRecord(user_id=user.id if user else None, consultation_id=consultation.id, format=fmt, channel=channel)
    )
    await db.flush()
