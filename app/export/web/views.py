"""Negotiators download the consolidated input."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import user_of
from app.discussion.web.loaders import consultation_from_path
from app.export.services import FORMATS, export_consultation
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.web.requests import db_of, identity_of


async def export_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    require(identity_of(request), Permission.EXPORT, consultation)
    return render(request, "export/index.html", {"consultation": consultation, "formats": FORMATS})


async def download(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    identity = identity_of(request)
    require(identity, Permission.EXPORT, consultation)
    fmt = request.path_params["format"]
    if fmt not in FORMATS:
        raise HTTPException(status_code=404)
    exported = await export_consultation(db_of(request), consultation, fmt, user=user_of(identity), channel="web")
    await db_of(request).commit()
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{exported.filename}"',
            "Cache-Control": "no-store",
        },
    )
