"""The export formats the site and its background jobs offer, by name: one table to extend.

JSON and CSV are, for now, the in-memory builders (app.export.builders and writers) behind
the streaming contract of app.export.formats: the whole export is built, then written into
the stream. They apply the selection to which key messages and contributions are listed;
each key message's counts stay those of the whole key message. Streaming writers replace
these entries without changing anything that runs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.discussion.models import Contribution
from app.export.builders import ExportInput, assemble_export, load_export_input
from app.export.documents.formats import DOCUMENT_FORMATS
from app.export.formats import ExportRequest, Format, Progress, Writer
from app.export.writers import to_csv, to_json
from app.organisations.models import Organisation


async def _selected_ids(db: AsyncSession, request: ExportRequest) -> set[int]:
    key_message_ids = [m.id for m in request.selection.key_messages(request.consultation)]
    rows = await db.scalars(
        select(Contribution.id)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.key_message_id.in_(key_message_ids), request.selection.condition())
    )
    return set(rows)


def _written(
    to_bytes: Callable[[dict[str, Any]], bytes],
    request: ExportRequest,
    loaded: ExportInput,
    chosen: set[int],
    out: BinaryIO,
) -> dict[str, int]:
    """Build, keep what is selected, write; CPU work, so in a thread."""
    loaded.contributions = [item for item in loaded.contributions if item[0].id in chosen]
    export = assemble_export(request.consultation, loaded)
    refs = {m.ref for m in request.selection.key_messages(request.consultation)}
    for part in ("roundtables", "next_steps"):
        for section in export[part]:
            section["key_messages"] = [m for m in section["key_messages"] if m["ref"] in refs]
        export[part] = [section for section in export[part] if section["key_messages"]]
    out.write(to_bytes(export))
    return {"contributions": len(loaded.contributions), "key_messages": len(refs)}


def built_in_memory(to_bytes: Callable[[dict[str, Any]], bytes]) -> Writer:
    """A Writer from a function of the whole built export to the file's bytes."""

    async def write(db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress) -> dict[str, int]:
        loaded = await load_export_input(db, request.consultation)
        await progress(0.5)
        chosen = await _selected_ids(db, request)
        await progress(0.6)
        counts = await to_thread.run_sync(_written, to_bytes, request, loaded, chosen, out)
        await progress(1.0)
        return counts

    return write


FORMATS: dict[str, Format] = {
    "json": Format("json", "application/json", built_in_memory(to_json)),
    "csv": Format("csv", "text/csv; charset=utf-8", built_in_memory(to_csv)),
    # The drafting documents (app.export.documents): their libraries load on the first export.
    **{document.name: document for document in DOCUMENT_FORMATS},
}
