"""Run an export's writer as its runners do, into memory, for tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.export.registry import FORMATS
from app.export.services import export_request


async def nothing(_share: float) -> None:
    return None


async def exported(
    db: AsyncSession, consultation: Consultation, fmt: str, selection: Selection | None = None, language: str = "en"
) -> bytes:
    request = await export_request(db, consultation, selection or Selection(), language)
    out = io.BytesIO()
    await FORMATS[fmt].write(db, request, out, nothing)
    return out.getvalue()


async def csv_records(
    db: AsyncSession, consultation: Consultation, selection: Selection | None = None, language: str = "en"
) -> list[dict[str, Any]]:
    content = await exported(db, consultation, "csv", selection, language)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
