"""How export files fare in the database (app.export.storage): store a file of SIZE_MB from a
temporary file, then read it back a chunk at a time, timing each and recording the largest
Python allocation (tracemalloc) while doing it, and read its last tenth as a download
resumed at 90% does (app.chunks.read_chunks). The file is random bytes (as incompressible as
a compressed document).

    .venv/bin/python -m bench.export_storage [SIZE_MB]   # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python -m bench.export_storage 200
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import select

import app.models  # noqa: F401 - every model, so the mappers' relationships resolve
from app.accounts.models import User
from app.chunks import digest_of
from app.consultation.models import Consultation
from app.db import make_engine, make_sessionmaker, writing
from app.export.storage import chunks_of, store_file
from app.jobs.models import Job
from app.jobs.queue import enqueue
from app.settings import PROJECT_ROOT


def _database(folder: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PYTHONPATH": str(PROJECT_ROOT)}
    command = str(Path(sys.executable).parent / "roundtable")
    person = ["users", "create", "--email", "bench@example.org", "--password", "a long passphrase", "--name", "Bench"]
    for args in (["db", "upgrade"], ["seed"], person):
        subprocess.run([command, *args], env=env, check=True, capture_output=True)
    return url


async def main(size_mb: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = _database(Path(folder))
        engine = make_engine(url, null_pool=True)
        source = Path(folder) / "file.bin"
        with source.open("wb") as out:
            for _ in range(size_mb):
                out.write(os.urandom(1024 * 1024))
        async with make_sessionmaker(writing(engine))() as db:
            consultation = await db.scalar(select(Consultation))
            user_id = await db.scalar(select(User.id))
            assert consultation is not None and user_id is not None
            job: Job = await enqueue(db, "bench", {}, unique_key="bench")
            await db.commit()
            with source.open("rb") as stream:
                digest = digest_of(stream)
                tracemalloc.start()
                started = time.perf_counter()
                stored = await store_file(
                    db, stream, job_id=job.id, requested_by_id=user_id, consultation_id=consultation.id, format="bin",
                    filename="file.bin", media_type="application/octet-stream", size=digest.size,
                    sha256=digest.sha256, manifest={},
                )  # fmt: skip
                await db.commit()
                stored_in = time.perf_counter() - started
                _, store_peak = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
        async with make_sessionmaker(engine)() as db:
            started = time.perf_counter()
            hasher = hashlib.sha256()
            async for chunk in chunks_of(db, stored.id):
                hasher.update(chunk)
            read_in = time.perf_counter() - started
            _, read_peak = tracemalloc.get_traced_memory()
            resumed_at = digest.size * 9 // 10
            started = time.perf_counter()
            tail = b"".join([part async for part in chunks_of(db, stored.id, resumed_at, digest.size - 1)])
            resumed_in = time.perf_counter() - started
        tracemalloc.stop()
        await engine.dispose()
        assert hasher.hexdigest() == digest.sha256
        with source.open("rb") as stream:
            stream.seek(resumed_at)
            assert tail == stream.read()
        print(
            f"{engine.dialect.name}: {size_mb} MB stored in {stored_in:.2f} s "
            f"(peak {store_peak / 2**20:.1f} MB allocated), "
            f"read back in {read_in:.2f} s (peak {read_peak / 2**20:.1f} MB), "
            f"its last tenth from 90% in {resumed_in:.2f} s"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
