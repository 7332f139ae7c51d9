"""Requests for exports, and the record of who exported from the command line."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.export.formats import ExportRequest, data_as_of
from app.export.models import ExportRecord


async def export_request(
    db: AsyncSession, consultation: Consultation, selection: Selection, language: str = "en"
) -> ExportRequest:
    """A request for the selection, at the time of its data (app.export.formats.data_as_of)."""
    return ExportRequest(consultation, selection, await data_as_of(db, consultation, selection), language)


async def record_export(
    db: AsyncSession, consultation: Consultation, fmt: str, *, user: User | None, channel: str
) -> None:
    db.add(
        ExportRecord(user_id=user.id if user else None, consultation_id=consultation.id, format=fmt, channel=channel)
    )
    await db.flush()
