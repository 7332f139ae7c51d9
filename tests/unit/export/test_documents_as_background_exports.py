"""The drafting documents run as background exports (app.export.jobs) once registered in the
table of formats (app.export.registry): the stored file is the document, its manifest's hash
matches, and two negotiators' snapshots of the same data are the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli import job_handlers
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.export import registry
from app.export.documents.formats import DOCUMENT_FORMATS
from app.export.jobs import export_job, request_export
from app.export.manifest import manifest_bytes
from app.export.storage import chunks_of
from app.jobs.models import JobStatus
from app.jobs.worker import run_one
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import make_organisation, make_position, make_user

RT2 = Selection(roundtable="RT2")


@pytest.fixture(autouse=True)
def _documents_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    for format in DOCUMENT_FORMATS:
        monkeypatch.setitem(registry.FORMATS, format.name, format)


async def _stored(db: AsyncSession, job_id: int) -> tuple[Any, bytes]:
    found = await export_job(db, job_id)
    assert found is not None and found.job.status is JobStatus.DONE and found.file is not None, found
    return found.file, b"".join([chunk async for chunk in chunks_of(db, found.file.id)])


@pytest.mark.parametrize("format", DOCUMENT_FORMATS, ids=lambda f: f.name)
async def test_a_document_is_made_in_the_background_with_a_matching_manifest(  # type: ignore[no-untyped-def]
    db, connection, consultation: Consultation, format
) -> None:
    author = await make_user(db, organisation=await make_organisation(db, name="Coastal Rights Network"))
    position = await make_position(db, consultation, author=author, ref="RT2-KM3", body="We support it.")
    first, second = [await make_user(db, role=Role.NEGOTIATOR) for _ in range(2)]
    jobs = [await request_export(db, consultation, format.name, RT2, negotiator.id) for negotiator in (first, second)]
    await db.commit()

    sessions = _sessionmaker(connection)
    assert await run_one(sessions, sessions, job_handlers()) and await run_one(sessions, sessions, job_handlers())

    (stored, content), (_, again) = [await _stored(db, job.id) for job in jobs]
    assert content == again, "two snapshots of the same data are the same bytes"
    assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.media_type == format.media_type
    assert stored.filename.endswith(f".{format.name}")
    manifest = json.loads(manifest_bytes(stored.manifest))
    assert manifest["counts"] == {"contributions": 1, "key_messages": 5, "positions_counted": 1, "alternatives": 0}
    assert manifest["files"][0]["sha256"] == stored.sha256
    if format.name == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
        assert f"Counted, Support: (#{position.id})" in text
    elif format.name == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(content))["RT2-KM3"]["A2"].value == position.id
    else:
        assert content.startswith(b"%PDF-1.7")
