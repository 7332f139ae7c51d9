"""A stand-in for the site behind nginx (tests/functional/test_nginx_ranges.py): every path
is a file served as the site serves downloads (app.web.ranges), with the Cache-Control the
`cache_control` query parameter names, and says which Range and If-Range reached it.

Run with `uvicorn tests.ranged_upstream:app`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.web.ranges import file_response, requested_range

CONTENT = bytes(range(256)) * 40
ETAG = '"0a1b2c"'
#: As the site says them: a public paper, a private download, a reading page.
CACHE_CONTROLS = {
    "paper": "public, no-cache",
    "private": "private, no-store",
    "shared": "public, max-age=0, s-maxage=1",
}


async def _read(start: int, end: int) -> AsyncIterator[bytes]:
    yield CONTENT[start : end + 1]


async def download(request: Request) -> Response:
    headers = {"Cache-Control": CACHE_CONTROLS[request.query_params.get("cache_control", "paper")]}
    wanted = requested_range(request, len(CONTENT), ETAG)
    response = file_response(
        wanted, size=len(CONTENT), etag=ETAG, read=_read, media_type="application/pdf", headers=headers
    )
    response.headers["X-Seen-Range"] = request.headers.get("range", "")
    response.headers["X-Seen-If-Range"] = request.headers.get("if-range", "")
    return response


app = Starlette(routes=[Route("/{path:path}", download, methods=["GET", "HEAD", "POST"])])
