"""The drafting document as DOCX (python-docx): real heading styles, the matrix as a real table
whose header row repeats on every page, the document's language in its styles and each key
message's text marked with its own, so screen readers and spell checkers read each right."""

from __future__ import annotations

import io
from datetime import UTC

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.export.documents.content import (
    AnnexEntry,
    DocumentContent,
    KeyMessageContent,
    PositionMatrix,
    Quote,
    cite,
    sponsors_text,
)
from app.export.documents.package import dated_zip

#: Embedded in the PDF and named here: wide script coverage, from Debian's fonts-dejavu-core.
FONT = "DejaVu Sans"


class Body:
    """Appends paragraphs to a document in constant time each. python-docx's own
    add_paragraph looks for the section properties among all the body's children and its
    style among all styles, every time: 10,000 contributions took minutes."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self._end = document.element.body.sectPr  # paragraphs go before it
        self._style_ids: dict[str, str] = {}

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.document.element.body.append(element)
        paragraph = Paragraph(element, self.document._body)
        if style is not None:
            element.style = self._style_id(style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.document.styles[name].style_id
        return self._style_ids[name]


def render_docx(content: DocumentContent) -> bytes:
    document = Document()
    _set_properties(document, content)
    _set_language_and_font(document, content.language)
    body = Body(document)
    _front_matter(body, content)
    for section in content.sections:
        body.heading(f"{section.ref} {section.title}", level=1)
        for message in section.key_messages:
            _key_message(body, content, message)
    _annex(body, content)
    buffer = io.BytesIO()
    document.save(buffer)
    return dated_zip(buffer.getvalue(), content.as_of)


def _set_properties(document: DocxDocument, content: DocumentContent) -> None:
    properties = document.core_properties
    properties.title = f"{content.title} ({content.source_reference})"
    properties.subject = content.words.document
    properties.language = content.language
    properties.author = ""
    properties.comments = ""
    properties.last_modified_by = ""
    properties.revision = 1
    # The data's own time, never the clock: the same data gives the same file.
    moment = content.as_of.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = moment


def _set_language_and_font(document: DocxDocument, language: str) -> None:
    """w:lang in the styles' defaults, and one font for every script it covers."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None  # python-docx's template has them
    properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert properties is not None
    _set_lang(properties, language)
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for side in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(side), FONT)
    normal = document.styles["Normal"].font
    normal.name, normal.size = FONT, Pt(10.5)


def _set_lang(run_properties: object, language: str) -> None:
    lang = run_properties.find(qn("w:lang"))  # type: ignore[attr-defined]
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)  # type: ignore[attr-defined]
    for side in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(side), language)


def _in_language(paragraph: Paragraph, text: str, language: str | None) -> None:
    run = paragraph.add_run(text)
    if language:
        _set_lang(run._r.get_or_add_rPr(), language)


def _front_matter(body: Body, content: DocumentContent) -> None:
    words = content.words
    body.heading(content.title, level=0)
    body.paragraph(words.document, style="Subtitle")
    for label, value in (
        (words.source, content.source_reference),
        (words.snapshot, content.as_of_text),
        (words.selection, content.selection_text),
    ):
        paragraph = body.paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)


def _key_message(body: Body, content: DocumentContent, message: KeyMessageContent) -> None:
    words = content.words
    body.heading(f"{words.key_message} {message.ref}", level=2)
    body.heading(words.original_text, level=3)
    _in_language(body.paragraph(style="Quote"), message.text, message.language)

    body.heading(words.matrix, level=3)
    _matrix(body, content, message.matrix)

    body.heading(words.alternatives, level=3)
    if not message.alternatives:
        body.paragraph(words.no_alternatives)
    else:
        body.paragraph(words.alternatives_note)
    for number, alternative in enumerate(message.alternatives, 1):
        paragraph = body.paragraph()
        paragraph.add_run(f"Alt {number} ").bold = True
        _in_language(paragraph, f"[{alternative.wording}]", content.text_language)
        body.paragraph(f"({sponsors_text(alternative, words)}) {cite(alternative.contribution_ids)}")
        for first_id, wording in alternative.variants:
            paragraph = body.paragraph(f"{words.variants}: ")
            _in_language(paragraph, f"[{wording}]", content.text_language)
            paragraph.add_run(f" {cite([first_id])}")

    body.heading(words.quotes, level=3)
    _quotes(body, message.quotes, words.no_quotes)
    body.heading(words.dissent, level=3)
    _quotes(body, message.dissents, words.no_dissent)


def _matrix(body: Body, content: DocumentContent, matrix: PositionMatrix) -> None:
    words = content.words
    body.paragraph(words.matrix_caption, style="Caption")
    if not matrix.total:
        body.paragraph(words.no_positions)
        return
    table = body.document.add_table(rows=0, cols=len(matrix.positions) + 2)
    table.style = "Table Grid"
    _caption(table, words.matrix)
    _row(table, [words.stakeholder_type, *matrix.positions, words.total], header=True)
    for row in matrix.rows:
        _row(table, [row.label, *(str(cell.count) for cell in row.cells), str(row.total)])
    _row(table, [words.total, *(str(cell.count) for cell in matrix.totals), str(matrix.total)], bold=True)
    for position, total in zip(matrix.positions, matrix.totals, strict=True):
        if total.contribution_ids:
            body.paragraph(f"{words.counted}, {position}: {cite(total.contribution_ids)}")


def _caption(table: Table, caption: str) -> None:
    """The table's title for assistive technology (w:tblCaption)."""
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption)
    table._tbl.tblPr.append(element)


def _row(table: Table, values: list[str], *, header: bool = False, bold: bool = False) -> None:
    row = table.add_row()  # type: ignore[no-untyped-call]  # python-docx leaves it unannotated
    if header:  # repeated at the top of every page, and read as the column headers
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(marker)
    for cell, value in zip(row.cells, values, strict=True):
        run = cell.paragraphs[0].add_run(value)
        run.bold = header or bold


def _quotes(body: Body, quotes: tuple[Quote, ...], none: str) -> None:
    if not quotes:
        body.paragraph(none)
    for quote in quotes:
        body.paragraph(f"“{quote.text}”", style="Quote")
        body.paragraph(f"— {quote.attribution}, {quote.position} {cite([quote.contribution_id])}")


def _annex(body: Body, content: DocumentContent) -> None:
    body.document.add_page_break()  # type: ignore[no-untyped-call]  # python-docx leaves it unannotated
    body.heading(content.words.annex, level=1)
    body.paragraph(content.words.annex_note)
    for entry in content.annex:
        _annex_entry(body, content, entry)


def _annex_entry(body: Body, content: DocumentContent, entry: AnnexEntry) -> None:
    words = content.words
    heading = body.paragraph(style="Heading 2")
    heading.add_run(f"#{entry.id} · {entry.key_message_ref}")
    if entry.parent_id:
        heading.add_run(f" · {words.reply_to} #{entry.parent_id}")
    body.paragraph(entry.facts)
    if entry.text is None:
        body.paragraph(words.withheld)
        return
    for line in entry.text.split("\n\n"):
        _in_language(body.paragraph(), line, entry.language)
    if entry.amendment:
        paragraph = body.paragraph()
        paragraph.add_run(f"{words.proposed_wording}: ").bold = True
        _in_language(paragraph, f"[{entry.amendment}]", content.text_language)
