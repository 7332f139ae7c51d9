"""The drafting documents' content read from the database: publication consent applied, hidden
text withheld, superseded positions not counted, every figure and quote traced to its ids; and
the three formats written through the Writer contract, the same bytes for the same data."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from anyio import to_thread
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.campaigns import save_campaigns
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.near_duplicates import Group
from app.export.documents.content import DocumentContent, KeyMessageContent
from app.export.documents.formats import DOCX_FORMAT, PDF_FORMAT, XLSX_FORMAT
from app.export.documents.loader import load_document_content
from app.export.formats import ExportRequest, Format, data_as_of
from app.moderation.curation import pin
from app.organisations.models import OrganisationType
from app.security.roles import Role
from app.settings import PROJECT_ROOT
from tests.document_samples import opens_in_libreoffice
from tests.factories import make_organisation, make_position, make_reply, make_user

REF = "RT2-KM2"
FORMATS = [DOCX_FORMAT, XLSX_FORMAT, PDF_FORMAT]


async def _request(db: AsyncSession, consultation: Consultation, selection: Selection) -> ExportRequest:
    return ExportRequest(consultation, selection, await data_as_of(db, consultation, selection))


async def _content(db: AsyncSession, consultation: Consultation, selection: Selection | None = None) -> DocumentContent:
    return await load_document_content(db, await _request(db, consultation, selection or Selection(roundtable="RT2")))


def _message(content: DocumentContent, ref: str = REF) -> KeyMessageContent:
    return next(m for m in content.key_messages if m.ref == ref)


async def _discussion(db: AsyncSession, consultation: Consultation) -> dict[str, Contribution]:
    """One position per speaker (a later one of the same speaker would supersede it)."""

    async def speak(name: str, organisation: str, kind: OrganisationType, **draft: object) -> Contribution:
        speaking_for = await make_organisation(db, name=organisation, type=kind)
        author = await make_user(db, organisation=speaking_for, name=name)
        return await make_position(db, consultation, author=author, ref=REF, **draft)  # type: ignore[arg-type]

    ngo, government = OrganisationType.CIVIL_SOCIETY, OrganisationType.GOVERNMENT
    found = {
        "named": await speak(
            "Ana Alves", "Coastal Rights Network", ngo, body="We support it; =SUM(A1) is text.", position="support"
        ),
        "organisation_only": await speak(
            "Marc Martin",
            "Ministry of Labour",
            government,
            body="Amend it.",
            position="support_with_amendments",
            amendment_text="Migration is a driver of sustainable development.",
            publication="organisation_only",
        ),
        "anonymous": await speak(
            "Secret Person",
            "Ministry of Secrets",
            government,
            body="We oppose it.",
            position="oppose",
            publication="anonymous",
        ),
        "private": await speak(
            "Pia Private",
            "Private Trust",
            ngo,
            body="Only for you.",
            position="oppose",
            publication="not_for_publication",
        ),
    }
    hidden = await speak("Hal Hidden", "Hidden Union", ngo, body="An insult nobody may read.", position="oppose")
    hidden.status, hidden.moderation_reason = ContributionStatus.HIDDEN, "Insult."
    found["hidden"] = hidden
    found["reply"] = await make_reply(db, author=found["named"].author, parent=found["anonymous"], body="Why?")
    await db.flush()
    return found


async def test_publication_consent_decides_what_the_body_names(db: AsyncSession, consultation: Consultation) -> None:
    made = await _discussion(db, consultation)
    message = _message(await _content(db, consultation))
    [alternative] = message.alternatives
    assert alternative.sponsors == ("Ministry of Labour",) and alternative.contribution_ids == (
        made["organisation_only"].id,
    )
    assert alternative.wording == "Migration is a driver of sustainable development."
    quotes = {q.contribution_id: q.attribution for q in message.quotes}
    assert quotes == {
        made["named"].id: "Ana Alves, Coastal Rights Network",
        made["organisation_only"].id: "Ministry of Labour",  # no person
    }
    assert [(q.contribution_id, q.attribution) for q in message.dissents] == [
        (made["anonymous"].id, "Anonymous contributor")  # neither name nor organisation; not the private one
    ]


async def test_the_annex_lists_everything_negotiators_see_withholding_hidden_text(
    db: AsyncSession, consultation: Consultation
) -> None:
    made = await _discussion(db, consultation)
    content = await _content(db, consultation)
    annex = {entry.id: entry for entry in content.annex}
    assert set(annex) == {c.id for c in made.values()}
    assert annex[made["private"].id].attribution == "Pia Private, Private Trust"
    assert annex[made["private"].id].publication == "Not for publication"
    assert annex[made["anonymous"].id].attribution == "Anonymous contributor"
    assert (
        annex[made["hidden"].id].text is None and annex[made["hidden"].id].state == "Hidden by the moderators: Insult."
    )
    assert annex[made["reply"].id].parent_id == made["anonymous"].id
    assert annex[made["named"].id].text == "We support it; =SUM(A1) is text."
    assert [entry.id for entry in content.annex] == sorted(annex)


async def test_the_matrix_counts_current_public_positions_with_their_ids(
    db: AsyncSession, consultation: Consultation
) -> None:
    made = await _discussion(db, consultation)
    later = await make_position(db, consultation, author=made["named"].author, ref=REF, position="neutral")
    matrix = _message(await _content(db, consultation)).matrix
    assert matrix.positions == ("Support", "Support with amendments", "Oppose", "Neutral")
    cells = {row.label: [(c.count, c.contribution_ids) for c in row.cells] for row in matrix.rows}
    assert cells == {
        "Civil-society organisation": [(0, ()), (0, ()), (0, ()), (1, (later.id,))],  # the support it replaced is gone
        "Government": [(0, ()), (1, (made["organisation_only"].id,)), (0, ()), (0, ())],
        "Undisclosed (published anonymously)": [(0, ()), (0, ()), (1, (made["anonymous"].id,)), (0, ())],
    }
    assert matrix.total == 3 and sorted(matrix.contribution_ids) == sorted(
        [later.id, made["organisation_only"].id, made["anonymous"].id]
    )
    for row in matrix.rows:
        assert all(cell.count == len(cell.contribution_ids) for cell in row.cells)
    annex = {entry.id: entry.state for entry in (await _content(db, consultation)).annex}
    assert annex[made["named"].id] == f"Visible; superseded #{later.id}"


async def test_a_campaign_counts_once_and_cites_the_member_that_counts(
    db: AsyncSession, consultation: Consultation
) -> None:
    members = [
        await make_position(db, consultation, author=await make_user(db, with_organisation=False), ref=REF)
        for _ in range(3)
    ]
    await save_campaigns(db, consultation.id, [Group(tuple(c.id for c in members))])
    await db.flush()
    matrix = _message(await _content(db, consultation)).matrix
    assert [(row.label, row.cells[0].count, row.cells[0].contribution_ids) for row in matrix.rows] == [
        ("Individuals", 1, (members[0].id,))
    ]


async def test_highlights_come_first_among_quotes(db: AsyncSession, consultation: Consultation) -> None:
    made = await _discussion(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    await pin(db, moderator=moderator, contribution=made["organisation_only"], reason="Well argued.")
    quotes = _message(await _content(db, consultation)).quotes
    assert [q.contribution_id for q in quotes] == [made["organisation_only"].id, made["named"].id]


async def test_a_filter_by_who_spoke_leaves_anonymous_contributions_out_everywhere(
    db: AsyncSession, consultation: Consultation
) -> None:
    made = await _discussion(db, consultation)
    content = await _content(db, consultation, Selection(roundtable="RT2", stakeholder_types=("government",)))
    assert made["anonymous"].id not in {entry.id for entry in content.annex}
    assert _message(content).dissents == () and content.selection_text == "roundtable=RT2; type=government"
    assert [row.label for row in _message(content).matrix.rows] == ["Government"]


async def test_text_stored_with_control_characters_reaches_no_file_with_them(
    db: AsyncSession, consultation: Consultation
) -> None:
    made = await _discussion(db, consultation)
    made["named"].body_html = "<p>Bell\x07 and\x0b tab\tkept &amp; <em>marked</em></p><p>Two</p>"
    made["organisation_only"].amendment_text = "New\x1f wording"
    await db.flush()
    content = await _content(db, consultation)
    annex = {entry.id: entry for entry in content.annex}
    assert annex[made["named"].id].text == "Bell and tab\tkept & marked\n\nTwo"
    assert _message(content).alternatives[0].wording == "New wording"
    request = await _request(db, consultation, Selection(roundtable="RT2"))
    for format in FORMATS:
        data, _, _ = await _write(db, request, format)
        assert data  # XML would have refused the control characters


async def test_a_language_without_words_gets_the_default_one(db: AsyncSession, consultation: Consultation) -> None:
    selection = Selection(key_message=REF)
    request = ExportRequest(consultation, selection, await data_as_of(db, consultation, selection), language="xx")
    content = await load_document_content(db, request)
    assert content.language == "en" and content.words.annex == "Annex: all contributions"
    assert content.text_language == "nl"


async def test_only_the_selected_roundtable_and_key_message(db: AsyncSession, consultation: Consultation) -> None:
    await _discussion(db, consultation)
    rt2 = await _content(db, consultation)
    assert [s.ref for s in rt2.sections] == ["RT2"] and all(m.ref.startswith("RT2") for m in rt2.key_messages)
    one = await _content(db, consultation, Selection(key_message=REF))
    assert [m.ref for m in one.key_messages] == [REF]
    whole = await _content(db, consultation, Selection())
    assert [s.ref for s in whole.sections][:4] == ["RT1", "RT2", "RT3", "RT4"] and len(whole.key_messages) > 17


async def _write(db: AsyncSession, request: ExportRequest, format: Format) -> tuple[bytes, dict[str, int], list[float]]:
    reported: list[float] = []

    async def progress(share: float) -> None:
        reported.append(share)

    out = io.BytesIO()
    counts = await format.write(db, request, out, progress)
    return out.getvalue(), counts, reported


@pytest.mark.parametrize("format", FORMATS, ids=lambda f: f.name)
async def test_a_snapshot_of_unchanged_data_is_byte_identical(
    db: AsyncSession, consultation: Consultation, format: Format
) -> None:
    made = await _discussion(db, consultation)
    request = await _request(db, consultation, Selection(roundtable="RT2"))
    first, counts, reported = await _write(db, request, format)
    second, _, _ = await _write(db, await _request(db, consultation, Selection(roundtable="RT2")), format)
    assert first == second
    assert counts == {"contributions": len(made), "key_messages": 5, "positions_counted": 3, "alternatives": 1}
    assert reported == [0.5, 1.0]


async def test_hidden_and_private_text_stays_where_it_belongs_in_every_file(
    db: AsyncSession, consultation: Consultation
) -> None:
    await _discussion(db, consultation)
    request = await _request(db, consultation, Selection(roundtable="RT2"))
    docx_bytes, _, _ = await _write(db, request, DOCX_FORMAT)
    xlsx_bytes, _, _ = await _write(db, request, XLSX_FORMAT)
    pdf_bytes, _, _ = await _write(db, request, PDF_FORMAT)
    texts = {
        "docx": "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs),
        "xlsx": "\n".join(
            str(cell.value)
            for sheet in openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).worksheets
            for row in sheet.iter_rows()
            for cell in row
        ),
        "pdf": await to_thread.run_sync(
            lambda: "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
        ),
    }
    for name, text in texts.items():
        assert "insult nobody may read" not in text, name
        assert "Secret Person" not in text, name
        assert "Only for you." in text, name  # negotiators read it, in the annex
    assert "'=SUM(A1)" not in texts["docx"] and "=SUM(A1)" in texts["docx"]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    assert all(cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)
    assert zipfile.ZipFile(io.BytesIO(docx_bytes)).testzip() is None


async def test_libreoffice_opens_each_document_made_from_the_database(
    db: AsyncSession, consultation: Consultation, tmp_path: Path
) -> None:
    await _discussion(db, consultation)
    request = await _request(db, consultation, Selection())
    for format in FORMATS:
        data, _, _ = await _write(db, request, format)
        path = tmp_path / f"snapshot.{format.name}"
        path.write_bytes(data)
        await to_thread.run_sync(opens_in_libreoffice, path, tmp_path / "profile")


def test_the_formats_import_no_renderer_until_one_is_used() -> None:
    """Registering the document formats costs a web worker nothing (tests/unit/test_worker_imports.py)."""
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app.export.documents.formats; "
            "print(sorted({'docx', 'openpyxl', 'weasyprint'} & set(sys.modules)))",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"
