"""A drafting document's content built by hand, and LibreOffice to open what is made of it."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.export.documents.content import (
    Alternative,
    AnnexEntry,
    Cell,
    DocumentContent,
    KeyMessageContent,
    MatrixRow,
    PositionMatrix,
    Quote,
    SectionContent,
)
from app.export.documents.words import document_words, in_language

AS_OF = datetime(2026, 7, 1, 10, 30, 15, tzinfo=UTC)
HOSTILE = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> & \u202e'


def sample_content(*, annex_size: int = 3) -> DocumentContent:
    with in_language("en"):
        words = document_words()
    matrix = PositionMatrix(
        positions=("Support", "Oppose"),
        rows=(
            MatrixRow("Civil-society organisation", (Cell(2, (11, 12)), Cell(0, ())), 2),
            MatrixRow("Government", (Cell(0, ()), Cell(1, (13,))), 1),
        ),
        totals=(Cell(2, (11, 12)), Cell(1, (13,))),
        total=3,
    )
    message = KeyMessageContent(
        ref="RT2-KM3",
        text="Migratie is een motor van ontwikkeling: coördinatie, ĳsbeer, één, Curaçao.",
        language="nl",
        matrix=matrix,
        alternatives=(
            Alternative(
                "Migratie is een motor van duurzame ontwikkeling.",
                sponsors=("Org A", "Org B"),
                endorsers=("Org C",),
                contribution_ids=(11, 12, 15),
                sponsor_count=3,
                variants=((15, "Migratie is een motor van duurzame ontwikkeling!"),),
            ),
        ),
        quotes=(Quote("We support this, مرحبا بالعالم.", "Ana Alves, Org A", 11, "Support"),),
        dissents=(Quote(HOSTILE, "Anonymous contributor", 13, "Oppose"),),
    )
    empty = KeyMessageContent(
        ref="RT2-KM4",
        text="Een tweede kernboodschap.",
        language="nl",
        matrix=PositionMatrix(("Support", "Oppose"), (), (Cell(0, ()), Cell(0, ())), 0),
        alternatives=(),
        quotes=(),
        dissents=(),
    )
    annex = tuple(
        AnnexEntry(
            id=11 + n,
            key_message_ref="RT2-KM3",
            parent_id=None if n < 3 else 11,
            position="Support" if n < 3 else "",
            stakeholder_type="Civil-society organisation",
            attribution="Ana Alves, Org A",
            publication="Named",
            state="Visible",
            created="July 1, 2026, 12:30 CEST (UTC+02:00)",
            text=HOSTILE if n == 2 else f"Contribution number {n}.\n\nSecond paragraph.",
            amendment="Migratie is een motor van duurzame ontwikkeling." if n == 0 else None,
            campaign_id=None,
            language="en",
        )
        for n in range(annex_size)
    )
    return DocumentContent(
        title="Migratie en ontwikkeling",
        source_reference="COM(2013) 292",
        as_of=AS_OF,
        as_of_text="July 1, 2026, 12:30 CEST (UTC+02:00)",
        selection_text="roundtable=RT2",
        language="en",
        text_language="nl",
        words=words,
        sections=(SectionContent("RT2", "Migratie en ontwikkeling", (message, empty)),),
        annex=annex,
    )


def soffice() -> str:
    """Fails (never skips) without LibreOffice, locally and in CI alike."""
    found = shutil.which("soffice")
    if found is None:
        pytest.fail("soffice is missing: install libreoffice-writer-nogui and libreoffice-calc-nogui")
    return found


def opens_in_libreoffice(path: Path, profile: Path) -> Path:
    """Convert the file to PDF with LibreOffice headless (its settings in `profile`, which a
    module's tests share: a new one costs seconds); the PDF it wrote, beside the file."""
    out = path.parent / f"converted-{path.suffix[1:]}"
    result = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = out / (path.stem + ".pdf")
    assert result.returncode == 0, result.stderr
    assert converted.exists() and converted.stat().st_size > 0, (result.stdout, result.stderr)
    return converted
