"""`roundtable export`: the files negotiators download, streamed to a file or standard output."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import parse_selection
from app.consultation.models import Consultation
from app.consultation.services import consultation_by_slug, list_consultations
from app.export.registry import FORMATS
from app.export.services import export_request, record_export


class ExportCommandError(LookupError):
    """What to export is unclear."""


async def _consultation(db: AsyncSession, slug: str | None) -> Consultation:
    if slug is None:
        consultations = await list_consultations(db, include_drafts=True)
        if len(consultations) != 1:
            slugs = ", ".join(c.slug for c in consultations) or "none"
            raise ExportCommandError(f"name the consultation with --consultation (there are: {slugs})")
        slug = consultations[0].slug
    consultation = await consultation_by_slug(db, slug)
    if consultation is None:
        raise ExportCommandError(f"no consultation with slug {slug!r}")
    return consultation


async def _ignore(_share: float) -> None:
    return None


async def export_from_cli(
    db: AsyncSession,
    out: BinaryIO,
    *,
    fmt: str,
    slug: str | None = None,
    roundtable: str | None = None,
    language: str = "en",
) -> dict[str, int]:
    """Write the export into `out`; its counts. Recorded as exported from the command line."""
    if fmt not in FORMATS:
        raise ExportCommandError(f"no format {fmt!r} (there are: {', '.join(sorted(FORMATS))})")
    consultation = await _consultation(db, slug)
    parsed = parse_selection({"roundtable": roundtable} if roundtable else {}, consultation)
    if parsed.errors:
        refs = ", ".join(s.ref for s in consultation.sections if s.ref and s.key_messages)
        raise ExportCommandError(f"no roundtable {roundtable!r} in {consultation.slug} (there are: {refs})")
    request = await export_request(db, consultation, parsed.selection, language)
    counts = await FORMATS[fmt].write(db, request, out, _ignore)
    await record_export(db, consultation, fmt, user=None, channel="cli")
    return counts
