"""Downloading a position paper, under its contribution's publication rules."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.chunks import entity_tag
from app.discussion.attachments import (
    CONTENT_TYPE,
    AttachmentInContext,
    attachment_in_context,
    content_disposition,
    is_public,
    may_download,
    paper_bytes,
    paper_is_stored,
)
from app.discussion.publication import audience_of, byline, file_name
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.web.conditional import Validators
from app.web.ranges import file_response, requested_range
from app.web.requests import db_of, identity_of

logger = logging.getLogger(__name__)


async def download(request: Request) -> Response:
    """Always a download (never shown inline, never sniffed), so a crafted file cannot run as a
    page of this site; 404 for anyone who may not read the contribution. A browser that holds
    the paper already is answered 304: its bytes never change. A download cut short resumes
    with a range (app.web.ranges), under the same rules."""
    found = await _downloadable(request)
    attachment = found.attachment
    db = db_of(request)
    if not await paper_is_stored(db, attachment.id):
        logger.error("attachment %s (%s): its bytes are not in the database", attachment.id, attachment.storage_name)
        raise HTTPException(status_code=404)
    validators = Validators(entity_tag(attachment.sha256), last_modified=None)
    cache_control = "public, no-cache" if is_public(found) else "private, no-store"
    if validators.match(request):
        # Its type, so that compression, which never touches a PDF, leaves the tag strong.
        not_modified = Response(status_code=304, headers={"Cache-Control": cache_control, "Content-Type": CONTENT_TYPE})
        return validators.stamp(not_modified)
    shown_name = file_name(attachment.original_name, byline(found.publication, audience_of(identity_of(request))))
    headers = {
        "Content-Disposition": content_disposition(shown_name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": cache_control,
    }
    response = file_response(
        requested_range(request, attachment.size_bytes, validators.etag),
        size=attachment.size_bytes,
        etag=validators.etag,
        read=lambda start, end: paper_bytes(db, attachment.id, start, end),
        media_type=CONTENT_TYPE,
        headers=headers,
    )
    return validators.stamp(response)


async def _downloadable(request: Request) -> AttachmentInContext:
    identity = identity_of(request)
    found = await attachment_in_context(db_of(request), request.path_params["attachment_id"])
    if found is None:
        raise HTTPException(status_code=404)
    require(identity, Permission.READ_CONSULTATION, found.consultation, hide=True)
    if not may_download(found, audience_of(identity), may_see_hidden=permits(identity, Permission.SEE_HIDDEN_BODY)):
        raise HTTPException(status_code=404)
    return found
