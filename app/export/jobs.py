"""Exports as background jobs: a negotiator asks, a worker (`roundtable worker`) writes the
file into a temporary file, reporting progress, then stores it with its manifest
(app.export.storage); the pages show the person their own exports.

Asking twice for the same export (person, consultation, format, selection) while it waits
or runs queues it once (the job's unique key)."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast
from urllib.parse import urlencode

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chunks import digest_of
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.consultation.services import consultation_by_slug
from app.export.formats import ExportRequest, Progress, data_as_of
from app.export.manifest import ManifestFile, build_manifest
from app.export.models import ExportFile
from app.export.registry import FORMATS
from app.export.storage import delete_partial_file, file_of_job, is_expired, store_file
from app.jobs.models import Job, JobStatus
from app.jobs.queue import enqueue
from app.jobs.worker import JobRun

#: The job kind a worker runs run_export for.
EXPORT_JOB = "export"
#: A file up to this size is written in memory; a larger one goes on to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
#: Exports listed on the export page.
LISTED = 20


def job_key(user_id: int, consultation_id: int, export_format: str, selection: Selection) -> str:
    """The same person asking for the same export; equal selections have equal parameters."""
    fingerprint = hashlib.sha256(urlencode(selection.as_params()).encode()).hexdigest()[:32]
    return f"{_key_prefix(user_id, consultation_id)}{export_format}:{fingerprint}"


def _key_prefix(user_id: int, consultation_id: int) -> str:
    return f"{EXPORT_JOB}:{user_id}:{consultation_id}:"


async def request_export(
    db: AsyncSession, consultation: Consultation, export_format: str, selection: Selection, user_id: int
) -> Job:
    """Queue the export, or return the same one already waiting or running."""
    if export_format not in FORMATS:
        raise ValueError(f"unknown export format {export_format!r}")
    params = {"consultation_id": consultation.id, "format": export_format, "selection": selection.as_dict()}
    key = job_key(user_id, consultation.id, export_format, selection)
    return await enqueue(db, EXPORT_JOB, params, unique_key=key, requested_by_id=user_id)


@dataclass(frozen=True)
class ExportJob:
    """An export job as its pages show it, with its file once stored."""

    job: Job
    file: ExportFile | None

    @property
    def id(self) -> int:
        return self.job.id

    @property
    def requested_by_id(self) -> int | None:
        """Whose it is (the policy's READ_OWN_EXPORT asks)."""
        return self.job.requested_by_id

    @property
    def format(self) -> str:
        return str(self.job.params.get("format", ""))

    @property
    def selection(self) -> Selection:
        return Selection.from_dict(self.job.params.get("selection") or {})

    @property
    def consultation_id(self) -> int:
        return int(self.job.params["consultation_id"])

    @property
    def running(self) -> bool:
        return self.job.finished_at is None

    @property
    def expired(self) -> bool:
        """Done, and its file past its time (or already purged)."""
        return self.job.status is JobStatus.DONE and (self.file is None or is_expired(self.file))


async def export_job(db: AsyncSession, job_id: int) -> ExportJob | None:
    """An export job and its file; None if there is no export job of that id."""
    job = await db.scalar(
        select(Job).where(Job.id == job_id, Job.kind == EXPORT_JOB).execution_options(populate_existing=True)
    )
    if job is None:
        return None
    return ExportJob(job, await file_of_job(db, job.id))


async def own_export_jobs(db: AsyncSession, user_id: int, consultation_id: int) -> list[ExportJob]:
    """The person's latest exports of the consultation, newest first."""
    prefix = _key_prefix(user_id, consultation_id)
    jobs = list(
        await db.scalars(
            select(Job)
            .where(Job.kind == EXPORT_JOB, Job.requested_by_id == user_id, Job.unique_key.startswith(prefix))
            .order_by(Job.id.desc())
            .limit(LISTED)
            .execution_options(populate_existing=True)
        )
    )
    stored = await db.scalars(select(ExportFile).where(ExportFile.job_id.in_([job.id for job in jobs])))
    files = {file.job_id: file for file in stored}
    return [ExportJob(job, files.get(job.id)) for job in jobs]


def filename_for(consultation: Consultation, selection: Selection, export_format: str, as_of: datetime) -> str:
    """Named after what it holds and the data's time, in characters every system accepts."""
    parts = ["roundtable", consultation.slug, selection.key_message or selection.roundtable or ""]
    stamp = as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = "-".join(part for part in [*parts, stamp] if part)
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:150] + f".{export_format}"


def _scaled(report: Progress, start: float, end: float) -> Progress:
    async def scaled(share: float) -> None:
        await report(start + (end - start) * share)

    return scaled


async def _consultation(db: AsyncSession, consultation_id: int) -> Consultation:
    found = await db.get(Consultation, consultation_id)
    consultation = None if found is None else await consultation_by_slug(db, found.slug)
    if consultation is None:
        raise LookupError("the consultation no longer exists")
    return consultation


async def run_export(run: JobRun) -> dict[str, Any]:
    """The job's handler: write the file into a temporary file, hash it, store it with its
    manifest. Reads in one session and writes in another, never holding a write lock while
    the file is made. A job taken over after its worker died starts again from the start,
    and first deletes whatever part of the file the dead worker stored."""
    export_format = FORMATS.get(str(run.params.get("format")))
    if export_format is None:
        raise LookupError(f"no export format {run.params.get('format')!r}")
    selection = Selection.from_dict(run.params["selection"])
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spooled:
        out = cast(BinaryIO, spooled)  # a binary file; typeshed types it apart
        async with run.sessions() as db:
            job = await db.get_one(Job, run.job_id)
            requested_by_id, requested_at = job.requested_by_id, job.created_at
            if requested_by_id is None:
                raise LookupError("the person who asked for it no longer has an account")
            consultation = await _consultation(db, int(run.params["consultation_id"]))
            as_of = await data_as_of(db, consultation, selection)
            request = ExportRequest(consultation, selection, as_of)
            counts = await export_format.write(db, request, out, _scaled(run.report, 0.0, 0.9))
        digest = await to_thread.run_sync(digest_of, out)
        filename = filename_for(consultation, selection, export_format.name, as_of)
        described = ManifestFile(filename, export_format.media_type, digest.size, digest.sha256)
        manifest = build_manifest(
            consultation,
            selection,
            export_format=export_format.name,
            as_of=as_of,
            requested_at=requested_at,
            counts=counts,
            files=[described],
        )
        async with run.writing_sessions() as db:
            await delete_partial_file(db, run.job_id)
            stored = await store_file(
                db,
                out,
                job_id=run.job_id,
                requested_by_id=requested_by_id,
                consultation_id=consultation.id,
                format=export_format.name,
                filename=filename,
                media_type=export_format.media_type,
                size=digest.size,
                sha256=digest.sha256,
                manifest=manifest,
            )
            file_id = stored.id
    return {"file_id": file_id, "size": digest.size, "sha256": digest.sha256, **counts}
