"""The drafting documents as export formats (app.export.formats): cheap to import, so the
registry of formats costs a web worker nothing; each renderer is imported by its first export."""

from __future__ import annotations

from app.export.documents.package import document_writer
from app.export.formats import Format

DOCX_FORMAT = Format(
    name="docx",
    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    write=document_writer("app.export.documents.docx_document:render_docx"),
)
XLSX_FORMAT = Format(
    name="xlsx",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    write=document_writer("app.export.documents.xlsx_document:render_xlsx"),
)
PDF_FORMAT = Format(
    name="pdf",
    media_type="application/pdf",
    write=document_writer("app.export.documents.pdf_document:render_pdf"),
)
DOCUMENT_FORMATS = (DOCX_FORMAT, XLSX_FORMAT, PDF_FORMAT)
