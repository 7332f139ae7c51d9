"""Drafting documents at scale (issue 12): the whole consultation's DOCX, XLSX and PDF of N
contributions, each made as its Writer makes it for an export job (read the content from
the database, then render in a thread: app.export.documents.package), the two steps timed
apart, beside a floor: the same annex rows written with the standard library's csv module,
the least any file of them costs (its size is printed too).

    python -m bench.documents --contributions 10000                  # a fresh SQLite file
    python -m bench.documents --contributions 100000 --formats xlsx
    DATABASE_URL=postgresql+asyncpg://... python -m bench.documents  # migrated and seeded

Contributions come from the demo generator (app.demo.generator: people, organisations,
threads, every publication choice, some hidden and withdrawn), spread over every key message.
Peak memory is the process's resident maximum after each format (ru_maxrss: it only grows).
The CPU time of the process (every thread) is printed beside the wall-clock time: on a
machine shared with other work it is the steadier figure."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anyio import to_thread

from app.consolidation.selection import Selection
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.demo.generator import generate_demo_data
from app.export.documents.docx_document import render_docx
from app.export.documents.loader import load_document_content
from app.export.documents.pdf_document import render_pdf
from app.export.documents.xlsx_document import render_xlsx
from app.export.formats import ExportRequest, data_as_of
from app.settings import PROJECT_ROOT, load_settings

SLUG = "com-2013-292"
#: The throw-away database's signing key (it signs nothing anyone uses).
BENCH_SECRET = "bench-documents-" + "0" * 16
RENDERERS = {"docx": render_docx, "xlsx": render_xlsx, "pdf": render_pdf}


def _prepare_sqlite() -> Path:
    """A fresh SQLite database, migrated and seeded by the real commands."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    os.environ.update(DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'bench.db'}", SECRET_KEY=BENCH_SECRET)
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run([sys.executable, "-m", "app.cli", *command], cwd=PROJECT_ROOT, env=dict(os.environ), check=True)
    return workdir


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(rows: list[tuple[object, ...]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


async def run(contributions: int, formats: list[str], seed: int, out: Path) -> None:
    engine = make_engine(load_settings().database_url)
    try:
        if contributions:
            started = time.perf_counter()
            async with make_sessionmaker(engine)() as db:
                print(
                    await generate_demo_data(
                        db, contributions=contributions, key_message_ref=None, consultation_slug=SLUG, random_seed=seed
                    )
                )
                await db.commit()
            print(f"generated in {time.perf_counter() - started:.1f} s (not part of any figure)")
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, SLUG)
            assert consultation is not None, "the database is seeded"
            selection = Selection()
            request = ExportRequest(consultation, selection, await data_as_of(db, consultation, selection))
            for name in formats:
                await _measure(db, request, name, out)
    finally:
        await engine.dispose()


async def _measure(db, request: ExportRequest, name: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The Writer's two steps apart (reading, rendering), then the floor, for one format."""
    render = RENDERERS[name]
    started, cpu_started = time.perf_counter(), time.process_time()
    content = await load_document_content(db, request)
    loaded = time.perf_counter()
    data = await to_thread.run_sync(render, content)
    rendered, cpu = time.perf_counter(), time.process_time() - cpu_started
    floor = await to_thread.run_sync(_floor, [entry.row() for entry in content.annex])
    floored = time.perf_counter()
    path = out / f"documents.{name}"
    path.write_bytes(data)
    print(
        f"{name}: {len(content.annex):,} contributions, {len(data) / 1e6:.1f} MB; read {loaded - started:.1f} s, "
        f"rendered {rendered - loaded:.1f} s, total {rendered - started:.1f} s (CPU {cpu:.1f} s); "
        f"floor (csv of the annex, {len(floor) / 1e6:.1f} MB) {floored - rendered:.2f} s; "
        f"peak RSS {_peak_mb():.0f} MB; {path}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=10_000, help="demo contributions to add first")
    parser.add_argument("--formats", default="docx,xlsx", help="comma-separated: docx, xlsx, pdf")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    formats = [name for name in args.formats.split(",") if name]
    unknown = set(formats) - set(RENDERERS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    out = _prepare_sqlite() if "DATABASE_URL" not in os.environ else Path(tempfile.mkdtemp(prefix="bench-documents-"))
    asyncio.run(run(args.contributions, formats, args.seed, out))


if __name__ == "__main__":
    main()
