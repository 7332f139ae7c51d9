"""The drafting document as XLSX (openpyxl, write-only so 100,000 rows stay quick): a summary
sheet of every key message's matrix, then one sheet per key message with its contributions.
Labels rather than codes, a frozen header row and filters on every sheet; no text a person
wrote can become a formula."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from app.export.documents.content import AnnexEntry, DocumentContent, KeyMessageContent
from app.export.documents.package import dated_zip
from app.export.writers import neutralise_formula

#: Excel's limit on a sheet's name, and the characters it refuses there.
SHEET_NAME_CHARS = 31
_NOT_IN_SHEET_NAMES = str.maketrans({c: "-" for c in "[]:*?/\\"})
#: Excel's limit on one cell's text.
CELL_CHARS = 32_767
_BOLD = Font(bold=True)


def render_xlsx(content: DocumentContent) -> bytes:
    workbook = Workbook(write_only=True)
    _set_properties(workbook, content)
    _summary(workbook, content)
    by_ref: dict[str, list[AnnexEntry]] = {}
    for entry in content.annex:
        by_ref.setdefault(entry.key_message_ref, []).append(entry)
    for message in content.key_messages:
        _key_message_sheet(workbook, content, message, by_ref.get(message.ref, []))
    buffer = io.BytesIO()
    # ExcelWriter rather than workbook.save, which stamps the clock's time as "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return dated_zip(buffer.getvalue(), content.as_of)


def _set_properties(workbook: Workbook, content: DocumentContent) -> None:
    properties = workbook.properties
    properties.title = f"{content.title} ({content.source_reference})"
    properties.subject = content.words.document
    properties.language = content.language
    properties.creator = ""
    properties.lastModifiedBy = ""
    # The data's own time, never the clock: the same data gives the same file.
    moment = content.as_of.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = moment


def _text(value: object) -> object:
    """A cell's value: numbers stay numbers, text is never a formula and fits a cell."""
    if isinstance(value, str):
        return neutralise_formula(value[:CELL_CHARS])
    return value


def _sheet(workbook: Workbook, title: str, header: Sequence[str], widths: Sequence[int]) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title.translate(_NOT_IN_SHEET_NAMES)[:SHEET_NAME_CHARS])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, _text(label))
        cell.font = _BOLD
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _finish(sheet: WriteOnlyWorksheet, columns: int, rows: int) -> None:
    """Filters over the header and every row written."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def _append(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    sheet.append([_text(value) for value in values])


def _summary(workbook: Workbook, content: DocumentContent) -> None:
    words = content.words
    positions = content.key_messages[0].matrix.positions if content.key_messages else ()
    header = [words.key_message, words.original_text, words.stakeholder_type, *positions, words.total]
    sheet = _sheet(workbook, words.summary, header, [12, 60, 32, *(14 for _ in positions), 10])
    rows = 0
    for message in content.key_messages:
        matrix = message.matrix
        for row in matrix.rows:
            _append(sheet, [message.ref, message.text, row.label, *(c.count for c in row.cells), row.total])
            rows += 1
        _append(sheet, [message.ref, message.text, words.total, *(c.count for c in matrix.totals), matrix.total])
        rows += 1
    _finish(sheet, len(header), rows)


def _key_message_sheet(
    workbook: Workbook, content: DocumentContent, message: KeyMessageContent, entries: list[AnnexEntry]
) -> None:
    words = content.words
    header = [*words.contribution_columns, words.counted]
    widths = [8, 10, 9, 18, 26, 30, 18, 28, 26, 80, 60, 10, 9]
    sheet = _sheet(workbook, message.ref, header, widths)
    counted = set(message.matrix.contribution_ids)
    for entry in entries:
        _append(sheet, [*entry.row(), 1 if entry.id in counted else 0])
    _finish(sheet, len(header), len(entries))
