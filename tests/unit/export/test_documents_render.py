"""The drafting documents drawn from a content built by hand, read back with real readers:
python-docx, openpyxl and pypdf."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from app.export.documents.content import Quote
from app.export.documents.docx_document import render_docx
from app.export.documents.pdf_document import document_html, render_pdf
from app.export.documents.words import document_words, in_language
from app.export.documents.xlsx_document import render_xlsx
from app.i18n import SUPPORTED_LOCALES
from tests.document_samples import AS_OF, HOSTILE, sample_content

#: Zip keeps seconds in steps of two.
ZIP_STAMP = (*AS_OF.timetuple()[:5], AS_OF.second // 2 * 2)


def docx_text(document: docx.document.Document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_docx_has_real_headings_a_repeating_table_header_and_its_language() -> None:
    document = docx.Document(io.BytesIO(render_docx(sample_content(annex_size=4))))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:4] == [
        ("Title", "Migratie en ontwikkeling"),
        ("Heading 1", "RT2 Migratie en ontwikkeling"),
        ("Heading 2", "Key message RT2-KM3"),
        ("Heading 3", "Original text"),
    ]
    assert ("Heading 1", "Annex: all contributions") in headings and (
        "Heading 2",
        "#14 · RT2-KM3 · reply to #11",
    ) in headings
    [table] = document.tables  # the second key message counts nothing: no empty table
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == ["Stakeholder type", "Support", "Oppose", "Total"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [cell.text for cell in table.rows[-1].cells] == ["Total", "2", "1", "3"]
    assert table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "Positions by stakeholder type"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "en"
    original = next(p for p in document.paragraphs if p.text.startswith("Migratie is een motor van ontwikkeling"))
    assert original.runs[0]._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "nl"


def test_docx_cites_contribution_ids_in_un_drafting_form() -> None:
    document = docx.Document(io.BytesIO(render_docx(sample_content())))
    text = docx_text(document)
    assert "Counted, Support: (#11, #12)" in text and "Counted, Oppose: (#13)" in text
    assert "Alt 1 [Migratie is een motor van duurzame ontwikkeling.]" in text
    assert "(Sponsors: Org A; Org B; 1 without an organisation named; endorsed by Org C) (#11, #12, #15)" in text
    assert "Near-identical wordings merged into it: [Migratie is een motor van duurzame ontwikkeling!] (#15)" in text
    assert "— Ana Alves, Org A, Support (#11)" in text
    assert HOSTILE in text  # as text, never markup
    assert "No alternative wording proposed." in text and "No position counted." in text


def test_docx_properties_and_zip_carry_the_snapshots_time_not_the_clocks() -> None:
    data = render_docx(sample_content())
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.title == "Migratie en ontwikkeling (COM(2013) 292)" and properties.language == "en"
    assert properties.created == properties.modified == AS_OF
    assert properties.author == "" and properties.last_modified_by == ""
    assert {entry.date_time for entry in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {ZIP_STAMP}


def test_xlsx_has_a_summary_and_a_sheet_per_key_message_with_labels_frozen_headers_and_filters() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample_content())))
    assert workbook.sheetnames == ["Summary", "RT2-KM3", "RT2-KM4"]
    summary = workbook["Summary"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows()]
    assert rows[0] == ["Key message", "Original text", "Stakeholder type", "Support", "Oppose", "Total"]
    assert [row[2:] for row in rows[1:]] == [
        ["Civil-society organisation", 2, 0, 2],
        ["Government", 0, 1, 1],
        ["Total", 2, 1, 3],
        ["Total", 0, 0, 0],
    ]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    contributions = [[cell.value for cell in row] for row in workbook["RT2-KM3"].iter_rows()]
    assert contributions[0][:4] == ["Id", "Key message", "Reply to", "Position"] and contributions[0][-1] == "Counted"
    assert [(row[0], row[-1]) for row in contributions[1:]] == [(11, 1), (12, 1), (13, 1)]
    assert contributions[3][9] == "'" + HOSTILE  # a person's text never becomes a formula
    assert workbook.properties.title == "Migratie en ontwikkeling (COM(2013) 292)"


def test_xlsx_dates_are_the_snapshots() -> None:
    data = render_xlsx(sample_content())
    properties = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert properties.created == properties.modified == AS_OF.replace(tzinfo=None)
    assert {entry.date_time for entry in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {ZIP_STAMP}


def test_pdf_is_tagged_pdf_ua_with_embedded_fonts_a_title_and_a_language() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(sample_content())))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == "Migratie en ontwikkeling (COM(2013) 292)"
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20260701103015Z"
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all({"/FontFile", "/FontFile2", "/FontFile3"} & set(_descriptor(font)) for font in fonts), (
        "every font is embedded"
    )
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Key message RT2-KM3" in text and "(#11, #12)" in text and "<script>" in text


@pytest.mark.parametrize("language", SUPPORTED_LOCALES)
def test_a_pdf_in_every_language_of_the_site_draws_its_words_and_a_chinese_quote(language: str) -> None:
    """Every script the site writes in has a font to embed: without one (Chinese, before
    fonts-wqy-zenhei), the words were drawn as empty boxes and read back as nonsense."""
    with in_language(language):
        words = document_words()
    content = sample_content()
    [message, *others] = content.sections[0].key_messages
    quote = Quote("我们支持这一关键信息，并建议加强侨民组织的作用。", "Org A", 11, "Support")
    message = dataclasses.replace(message, quotes=(quote,))
    section = dataclasses.replace(content.sections[0], key_messages=(message, *others))
    content = dataclasses.replace(content, language=language, words=words, sections=(section,))
    reader = PdfReader(io.BytesIO(render_pdf(content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert words.document in text and words.source in text
    assert quote.text in text.replace("\n", "")
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in name for name in fonts), fonts


def _descriptor(font: object) -> dict[str, object]:
    font = font.get_object()  # type: ignore[attr-defined]
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    return font["/FontDescriptor"].get_object()


def test_the_pdfs_html_escapes_what_people_wrote() -> None:
    html = document_html(sample_content())
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<html lang="en">' in html and '<blockquote lang="nl">' in html
    assert '<th scope="col">Support</th>' in html


@pytest.mark.parametrize("render", [render_docx, render_xlsx, render_pdf], ids=["docx", "xlsx", "pdf"])
def test_the_same_content_gives_the_same_bytes(render) -> None:  # type: ignore[no-untyped-def]
    assert render(sample_content()) == render(sample_content())
