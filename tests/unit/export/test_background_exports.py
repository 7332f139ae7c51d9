"""Exports as background jobs (app.export.jobs): asked once however often, written into a
temporary file, stored in chunks with a manifest whose hashes match, failures recorded, a
job whose worker died taken over or failed visibly, expired files purged."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import chunks
from app.cli import job_handlers
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker, utcnow, writing
from app.export import registry, storage
from app.export.formats import ExportRequest, Format, Progress
from app.export.jobs import EXPORT_JOB, export_job, filename_for, own_export_jobs, request_export
from app.export.manifest import manifest_bytes
from app.export.models import ExportFile, ExportFileChunk
from app.export.storage import chunks_of, purge_expired
from app.jobs.models import Job, JobStatus
from app.jobs.queue import ABANDONED_ERROR, LEASE, MAX_ATTEMPTS, claim_next
from app.jobs.worker import run_one
from app.privacy.retention import purge
from app.security.roles import Role
from tests.conftest import SEED_SLUG, _sessionmaker
from tests.factories import make_organisation, make_position, make_user

RT2 = Selection(roundtable="RT2")


async def _stored_bytes(db: AsyncSession, file_id: int) -> bytes:
    return b"".join([chunk async for chunk in chunks_of(db, file_id)])


async def _run_worker(connection: Any) -> bool:
    sessions = _sessionmaker(connection)
    return await run_one(sessions, sessions, job_handlers())


async def test_asking_twice_queues_one_export_and_another_selection_another(db, consultation) -> None:  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    first = await request_export(db, consultation, "csv", RT2, negotiator.id)
    again = await request_export(db, consultation, "csv", Selection(roundtable="RT2"), negotiator.id)
    other = await request_export(db, consultation, "csv", Selection(), negotiator.id)
    json_one = await request_export(db, consultation, "json", RT2, negotiator.id)
    assert again.id == first.id and len({first.id, other.id, json_one.id}) == 3
    assert first.kind == EXPORT_JOB and first.params["selection"]["roundtable"] == "RT2"
    with pytest.raises(ValueError):
        await request_export(db, consultation, "exe", RT2, negotiator.id)
    listed = await own_export_jobs(db, negotiator.id, consultation.id)
    assert [e.id for e in listed] == [json_one.id, other.id, first.id]  # newest first
    assert await own_export_jobs(db, (await make_user(db, role=Role.NEGOTIATOR)).id, consultation.id) == []


async def test_the_worker_stores_the_file_with_a_manifest_whose_hash_matches(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    ngo = await make_organisation(db)
    in_rt2 = await make_position(db, consultation, author=await make_user(db, organisation=ngo), ref="RT2-KM3")
    in_rt1 = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    job = await request_export(db, consultation, "csv", RT2, negotiator.id)
    await db.commit()

    assert await _run_worker(connection)

    found = await export_job(db, job.id)
    assert found is not None and found.job.status is JobStatus.DONE and found.file is not None
    stored = found.file
    content = await _stored_bytes(db, stored.id)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(in_rt2.id)] and str(in_rt1.id) not in {r[0] for r in rows}
    assert stored.size == len(content) and stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.requested_by_id == negotiator.id and stored.media_type.startswith("text/csv")
    assert stored.expires_at - stored.created_at == timedelta(days=7)
    manifest = json.loads(manifest_bytes(stored.manifest))
    assert manifest["files"] == [
        {"name": stored.filename, "media_type": stored.media_type, "size": len(content), "sha256": stored.sha256}
    ]
    assert manifest["consultation"]["slug"] == SEED_SLUG and manifest["selection"] == RT2.as_dict()
    assert manifest["counts"]["contributions"] == 1 and manifest["format"] == "csv"
    assert manifest["application"]["name"] == "roundtable" and manifest["application"]["version"]
    as_of = datetime.fromisoformat(manifest["as_of"])
    assert as_of.tzinfo is not None and stored.filename.endswith(f"{as_of.astimezone(UTC):%Y%m%dT%H%M%SZ}.csv")
    assert found.job.result == {
        "file_id": stored.id,
        "size": len(content),
        "sha256": stored.sha256,
        "contributions": 1,
        "key_messages": manifest["counts"]["key_messages"],
    }


async def test_the_same_data_and_selection_give_the_same_bytes(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    await make_position(db, consultation, author=await make_user(db), ref="RT2-KM3")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    hashes = []
    for _ in range(2):
        job = await request_export(db, consultation, "json", Selection(), negotiator.id)
        await db.commit()
        assert await _run_worker(connection)
        found = await export_job(db, job.id)
        assert found is not None and found.file is not None
        hashes.append((found.file.sha256, found.file.filename, manifest_bytes(found.file.manifest)))
    assert hashes[0][:2] == hashes[1][:2]
    # The manifests differ only in when each was asked for.
    first, second = (json.loads(m) for _, _, m in hashes)
    assert {k: v for k, v in first.items() if k != "requested_at"} == {
        k: v for k, v in second.items() if k != "requested_at"
    }


async def test_a_large_file_is_stored_and_read_a_chunk_at_a_time(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 1000)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    consultation = await consultation_by_slug(db, SEED_SLUG)
    assert consultation is not None
    job = await request_export(db, consultation, "csv", Selection(), negotiator.id)
    content = bytes(range(256)) * 20  # 5,120 bytes: six chunks, the last short
    stream = io.BytesIO(content)
    digest = chunks.digest_of(stream)
    stored = await storage.store_file(
        db,
        stream,
        job_id=job.id,
        requested_by_id=negotiator.id,
        consultation_id=consultation.id,
        format="csv",
        filename="x.csv",
        media_type="text/csv",
        size=digest.size,
        sha256=digest.sha256,
        manifest={},
    )
    assert await db.scalar(select(func.count()).where(ExportFileChunk.export_file_id == stored.id)) == 6
    assert await _stored_bytes(db, stored.id) == content and digest.size == len(content)


def _fields(job_id: int, user_id: int, consultation_id: int) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "requested_by_id": user_id,
        "consultation_id": consultation_id,
        "format": "json",
        "filename": "partial.json",
        "media_type": "application/json",
        "size": 0,
        "sha256": "0" * 64,
        "manifest": {},
    }


def _failing_format() -> Format:
    async def write(db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress) -> dict[str, int]:
        await progress(0.3)
        out.write(b"half a file")
        raise RuntimeError("the disk is full")

    return Format("csv", "text/csv", write)


async def test_a_failing_writer_leaves_a_failed_job_and_no_file(db, connection, consultation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(registry.FORMATS, "csv", _failing_format())
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    job = await request_export(db, consultation, "csv", Selection(), negotiator.id)
    await db.commit()
    assert await _run_worker(connection)
    found = await export_job(db, job.id)
    assert found is not None and found.job.status is JobStatus.FAILED and found.file is None
    assert found.job.error == "RuntimeError: the disk is full" and not found.expired


async def test_an_export_whose_worker_died_is_made_by_the_next_worker(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    job = await request_export(db, consultation, "json", Selection(), negotiator.id)
    assert (await claim_next(db, [EXPORT_JOB])).id == job.id  # type: ignore[union-attr]
    # Claimed by a worker that died while storing: part of a file, no more reports.
    await storage.store_file(db, io.BytesIO(b"the first megabyte"), **_fields(job.id, negotiator.id, consultation.id))
    assert not await _run_worker(connection)  # within the lease it is left alone
    await db.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - LEASE - timedelta(1)))
    await db.commit()
    assert await _run_worker(connection)
    found = await export_job(db, job.id)
    assert found is not None and found.job.status is JobStatus.DONE and found.job.attempts == 2
    assert found.file is not None and found.file.filename.endswith(".json")  # made again, whole
    content = await _stored_bytes(db, found.file.id)
    assert json.loads(content)["consultation"]["slug"] == SEED_SLUG
    assert hashlib.sha256(content).hexdigest() == found.file.sha256
    assert await db.scalar(select(func.count()).select_from(ExportFile).where(ExportFile.job_id == job.id)) == 1


async def test_an_export_that_stopped_its_worker_every_time_fails_visibly(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    job = await request_export(db, consultation, "json", Selection(), negotiator.id)
    await db.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(status=JobStatus.RUNNING, attempts=MAX_ATTEMPTS, heartbeat_at=utcnow() - LEASE - timedelta(1))
    )
    await db.commit()
    assert not await _run_worker(connection)  # nothing to run, but the dead job is failed
    found = await export_job(db, job.id)
    assert found is not None and found.job.status is JobStatus.FAILED and found.job.error == ABANDONED_ERROR
    assert found.job.finished_at is not None


async def test_expired_files_are_purged_with_their_chunks(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    old = await request_export(db, consultation, "json", Selection(), negotiator.id)
    new = await request_export(db, consultation, "csv", Selection(), negotiator.id)
    await db.commit()
    assert await _run_worker(connection) and await _run_worker(connection)
    await db.execute(update(ExportFile).where(ExportFile.job_id == old.id).values(expires_at=utcnow() - timedelta(1)))
    old_export = await export_job(db, old.id)
    assert old_export is not None and old_export.expired
    report = await purge(db)
    assert report.export_files == 1 and "1 expired export files" in str(report)
    assert await export_job(db, old.id) is not None  # the job stays, its file is gone: still expired
    assert (await export_job(db, old.id)).file is None  # type: ignore[union-attr]
    kept = await export_job(db, new.id)
    assert kept is not None and kept.file is not None and not kept.expired
    orphans = (
        select(func.count())
        .select_from(ExportFileChunk)
        .where(ExportFileChunk.export_file_id.not_in(select(ExportFile.id)))
    )
    assert await db.scalar(orphans) == 0
    assert await purge_expired(db) == 0


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(), "roundtable-com-2013-292-20130601T100000Z.csv"),
        (Selection(roundtable="RT2"), "roundtable-com-2013-292-RT2-20130601T100000Z.csv"),
        (Selection(key_message="RT2 KM\x003/../"), "roundtable-com-2013-292-RT2_KM_3_.._-20130601T100000Z.csv"),
    ],
)
def test_file_names_hold_only_safe_characters(consultation_stub: Consultation, selection, expected) -> None:  # type: ignore[no-untyped-def]
    assert filename_for(consultation_stub, selection, "csv", datetime(2013, 6, 1, 10, tzinfo=UTC)) == expected


@pytest.fixture
def consultation_stub() -> Consultation:
    return Consultation(slug=SEED_SLUG)


async def test_two_requests_at_once_queue_one_job(own_database) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            negotiator = await make_user(db, role=Role.NEGOTIATOR)
            await db.commit()
            user_id = negotiator.id

        async def ask() -> int:
            async with make_sessionmaker(writing(engine))() as db:
                consultation = await consultation_by_slug(db, SEED_SLUG)
                assert consultation is not None
                job = await request_export(db, consultation, "csv", RT2, user_id)
                await db.commit()
                return job.id

        ids = await asyncio.gather(ask(), ask(), ask())
        assert len(set(ids)) == 1
        async with make_sessionmaker(engine)() as db:
            assert await db.scalar(select(func.count()).select_from(Job).where(Job.kind == EXPORT_JOB)) == 1
    finally:
        await engine.dispose()
