"""Negotiators ask for exports, follow them and download their own files and manifests."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.audit.services import EXPORT_DOWNLOAD, record
from app.chunks import entity_tag
from app.consolidation.selection import parse_selection
from app.consultation.models import Consultation
from app.discussion.web.loaders import consultation_from_path
from app.export.jobs import ExportJob, export_job, own_export_jobs, request_export
from app.export.manifest import manifest_bytes
from app.export.models import ExportFile
from app.export.registry import FORMATS
from app.export.storage import chunks_of
from app.export.web.forms import (
    SelectionChoices,
    SelectionForm,
    describe_selection,
    selection_choices,
    selection_form,
)
from app.i18n import _
from app.jobs.models import JobStatus
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.ranges import UNSATISFIABLE, ByteRange, file_response, requested_range
from app.web.requests import client_address, db_of, identity_of
from app.web.responses import see_other

#: How often the job's fragment asks again with htmx, and the page reloads without it.
POLL_SECONDS = 2
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class ExportPage:
    consultation: Consultation
    form: SelectionForm
    choices: SelectionChoices
    formats: list[str]
    jobs: list[ExportJob]
    #: By job id: its selection in words.
    described: dict[int, str]


async def _export_page(request: Request, consultation: Consultation, form: SelectionForm, status: int) -> Response:
    jobs = await own_export_jobs(db_of(request), signed_in_user(request).id, consultation.id)
    described = {export.id: describe_selection(export.selection) for export in jobs}
    context = ExportPage(consultation, form, selection_choices(consultation), list(FORMATS), jobs, described)
    return render(request, "export/index.html", context, status_code=status)


async def _exporting(request: Request) -> Consultation:
    consultation = await consultation_from_path(request)
    require(identity_of(request), Permission.EXPORT, consultation)
    return consultation


async def export_page(request: Request) -> Response:
    """The filters come as a query string: a link from the workspace keeps its selection."""
    consultation = await _exporting(request)
    params = request.query_params
    return await _export_page(request, consultation, selection_form(params, parse_selection(params, consultation)), 200)


async def ask_for_export(request: Request) -> Response:
    consultation = await _exporting(request)
    data = await request.form()
    parsed = parse_selection(data, consultation)
    form = selection_form(data, parsed)
    export_format = form.values["format"]
    if export_format not in FORMATS:
        form.errors["format"] = _("Choose a format from the list.")
    if form.errors:
        return await _export_page(request, consultation, form, 422)
    db = db_of(request)
    job = await request_export(db, consultation, export_format, parsed.selection, signed_in_user(request).id)
    await db.commit()
    return see_other(path_for("export_job", slug=consultation.slug, job_id=job.id))


async def _own_job(request: Request) -> tuple[Consultation, ExportJob]:
    """The export job in the path, if the person asked for it; 404 for anyone else."""
    consultation = await _exporting(request)
    found = await export_job(db_of(request), request.path_params["job_id"])
    if found is None or found.consultation_id != consultation.id:
        raise HTTPException(status_code=404)
    require(identity_of(request), Permission.READ_OWN_EXPORT, found, hide=True)
    return consultation, found


@dataclass(frozen=True)
class JobPage:
    consultation: Consultation
    export: ExportJob
    poll_seconds: int = POLL_SECONDS
    refresh_seconds: int = REFRESH_SECONDS


async def export_job_page(request: Request) -> Response:
    """The job's progress: its fragment alone for htmx, which asks again while it runs; a
    page that reloads itself without JavaScript."""
    consultation, found = await _own_job(request)
    return render(request, "export/job.html", JobPage(consultation, found), block="job_status")


class Gone(Exception):
    """The file expired: the page says so and offers to make it again."""

    def __init__(self, page: JobPage) -> None:
        super().__init__()
        self.page = page


async def _downloadable(request: Request) -> ExportFile:
    consultation, found = await _own_job(request)
    if found.expired:
        raise Gone(JobPage(consultation, found))
    if found.file is None or found.job.status is not JobStatus.DONE:  # not made yet, or it failed
        raise HTTPException(status_code=404)
    return found.file


def _gone(request: Request, gone: Gone) -> Response:
    return render(request, "export/expired.html", gone.page, status_code=410)


def _audit(request: Request, stored: ExportFile, what: str, part: ByteRange | None = None) -> None:
    details = {"export_file_id": stored.id, "job_id": stored.job_id, "format": stored.format, "what": what}
    details["sha256"] = stored.sha256
    if part is not None:
        details["range"] = part.content_range()
    actor = signed_in_user(request)
    record(db_of(request), EXPORT_DOWNLOAD, actor=actor, address=client_address(request), details=details)


def _attachment_headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


async def download_file(request: Request) -> Response:
    """The file, a stored chunk at a time; the download is audited before it starts. A
    download cut short resumes with a range (app.web.ranges): each request that sends bytes
    is a download and is audited, a resumed one with the range it asked for; a range past
    the end (416) sends nothing and is not. Range is honoured on this POST as it would be on
    a GET: the method is POST only so that the audit is never triggered by a mere link."""
    try:
        stored = await _downloadable(request)
    except Gone as gone:
        return _gone(request, gone)
    db = db_of(request)
    etag = entity_tag(stored.sha256)
    part = requested_range(request, stored.size, etag)
    if part is not UNSATISFIABLE:
        _audit(request, stored, "file", part)
        await db.commit()
    return file_response(
        part,
        size=stored.size,
        etag=etag,
        read=lambda start, end: chunks_of(db, stored.id, start, end),
        media_type=stored.media_type,
        headers=_attachment_headers(stored.filename),
    )


async def download_manifest(request: Request) -> Response:
    try:
        stored = await _downloadable(request)
    except Gone as gone:
        return _gone(request, gone)
    content = manifest_bytes(stored.manifest)
    _audit(request, stored, "manifest")
    await db_of(request).commit()
    name = stored.filename.rsplit(".", 1)[0] + ".manifest.json"
    return Response(content, media_type="application/json", headers=_attachment_headers(name))
