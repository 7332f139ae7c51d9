"""Every drafting document opens in LibreOffice headless without error: converting it to PDF
is the test (it fails, never skips, without LibreOffice; tools/install-system-deps.sh installs it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.export.documents.docx_document import render_docx
from app.export.documents.pdf_document import render_pdf
from app.export.documents.xlsx_document import render_xlsx
from tests.document_samples import opens_in_libreoffice, sample_content


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.mark.parametrize(
    ("render", "suffix"),
    [(render_docx, ".docx"), (render_xlsx, ".xlsx"), (render_pdf, ".pdf")],
    ids=["docx", "xlsx", "pdf"],
)
def test_libreoffice_opens_it(render, suffix: str, tmp_path: Path, profile: Path) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / f"document{suffix}"
    document.write_bytes(render(sample_content(annex_size=4)))
    converted = opens_in_libreoffice(document, profile)
    text = subprocess.run(["pdftotext", str(converted), "-"], capture_output=True, text=True, check=True).stdout
    assert "RT2-KM3" in text
