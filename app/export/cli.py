"""`roundtable export`: the same files negotiators download from the site."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.services import consultation_by_slug, list_consultations
from app.export.services import export_consultation


class ExportCommandError(LookupError):
    """Which consultation to export is unclear."""


async def export_from_cli(db: AsyncSession, slug: str | None, fmt: str) -> bytes:
    if slug is None:
        consultations = await list_consultations(db, include_drafts=True)
        if len(consultations) != 1:
            slugs = ", ".join(c.slug for c in consultations) or "none"
            raise ExportCommandError(f"name the consultation with --consultation (there are: {slugs})")
        slug = consultations[0].slug
    consultation = await consultation_by_slug(db, slug)
    if consultation is None:
        raise ExportCommandError(f"no consultation with slug {slug!r}")
    exported = await export_consultation(db, consultation, fmt, user=None, channel="cli")
    return exported.content
