"""Small PDFs made on the fly with pypdf, so tests need no binary fixtures."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfWriter


def tiny_pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    """A valid PDF of blank pages; with `password`, one that needs it to open."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
