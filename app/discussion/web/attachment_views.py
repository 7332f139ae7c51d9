"""Downloading a position paper, under its contribution's publication rules."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.discussion.attachments import (
    CONTENT_TYPE,
    attachment_in_context,
    content_disposition,
    is_public,
    may_download,
    stored_path,
)
from app.discussion.publication import audience_of, byline, file_name
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.web.requests import db_of, identity_of

logger = logging.getLogger(__name__)


async def download(request: Request) -> Response:
    """Always a download (never shown inline, never sniffed), so a crafted file cannot run as a
    page of this site; 404 for anyone who may not read the contribution."""
    identity = identity_of(request)
    audience = audience_of(identity)
    found = await attachment_in_context(db_of(request), request.path_params["attachment_id"])
    if found is None:
        raise HTTPException(status_code=404)
    require(identity, Permission.READ_CONSULTATION, found.consultation, hide=True)
    if not may_download(found, audience, may_see_hidden=permits(identity, Permission.SEE_HIDDEN_BODY)):
        raise HTTPException(status_code=404)
    path = stored_path(request.app.state.settings.attachments_dir, found.attachment.storage_name)
    if not path.is_file():
        logger.error("attachment %s: its file %s is missing", found.attachment.id, path)
        raise HTTPException(status_code=404)
    headers = {
        "Content-Disposition": content_disposition(
            file_name(found.attachment.original_name, byline(found.publication, audience))
        ),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, no-cache" if is_public(found) else "private, no-store",
    }
    return FileResponse(path, media_type=CONTENT_TYPE, headers=headers)
