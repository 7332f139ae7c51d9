"""The drafting document as PDF: the content drawn as semantic HTML (templates/export/
document.html, autoescaped) and laid out by WeasyPrint as PDF/UA-1, which makes it tagged
(headings, tables with their headers, the language of each passage) with every font embedded."""

from __future__ import annotations

import io
from datetime import UTC

from weasyprint import HTML

from app.export.documents.content import DocumentContent, cite, sponsors_text
from app.templating import environment

TEMPLATE = "export/document.html"


def document_html(content: DocumentContent) -> str:
    # The data's own time, never the clock, in the PDF's dates: the same data gives the same file.
    moment = content.as_of.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return environment.get_template(TEMPLATE).render(
        content=content, moment=moment, cite=cite, sponsors_text=sponsors_text, zip=zip
    )


def render_pdf(content: DocumentContent) -> bytes:
    buffer = io.BytesIO()
    # The template refers to no file or address: the document loads nothing from anywhere.
    HTML(string=document_html(content)).write_pdf(buffer, pdf_variant="pdf/ua-1")
    return buffer.getvalue()
