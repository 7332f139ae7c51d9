"""What the three renderers share: running one in a thread behind the Writer contract, and
making an Office file's zip the same bytes every time."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import import_module
from typing import BinaryIO

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.export.documents.content import DocumentContent
from app.export.documents.loader import load_document_content
from app.export.formats import ExportRequest, Progress, Writer

#: Zip cannot date anything before 1980.
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


def dated_zip(data: bytes, moment: datetime) -> bytes:
    """The same zip, each entry in the same order, dated `moment` (the snapshot's time) with
    fixed attributes: python-docx and openpyxl date entries by the clock, which would make two
    snapshots of the same data differ."""
    stamp = max(moment.astimezone(UTC), _ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3  # Unix, whatever the machine
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()


def counts_of(content: DocumentContent) -> dict[str, int]:
    """The manifest's counts: what the document covers."""
    return {
        "contributions": len(content.annex),
        "key_messages": len(content.key_messages),
        "positions_counted": sum(m.matrix.total for m in content.key_messages),
        "alternatives": sum(len(m.alternatives) for m in content.key_messages),
    }


def document_writer(renderer: str) -> Writer:
    """A Writer (app.export.formats) that loads the content, then renders it in a thread
    with `renderer` ("module:function"), imported on first use: python-docx, openpyxl and
    WeasyPrint hold about 90 MB, which no web worker should carry for an export it never makes."""

    async def write(db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress) -> dict[str, int]:
        content = await load_document_content(db, request)
        await progress(0.5)
        module, _, name = renderer.partition(":")
        render: Callable[[DocumentContent], bytes] = getattr(import_module(module), name)
        data = await to_thread.run_sync(render, content)
        out.write(data)
        await progress(1.0)
        return counts_of(content)

    return write
