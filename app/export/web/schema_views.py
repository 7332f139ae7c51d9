"""The JSON export's schema, public and cacheable: readers validate their files against it."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from app.export.schema import export_schema

#: A day: the schema changes only with a release of the site.
CACHE_CONTROL = "public, max-age=86400"


async def schema(request: Request) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    content = json.dumps(export_schema(base + request.url_for("export_schema").path), ensure_ascii=False, indent=2)
    return Response(content, media_type="application/schema+json", headers={"Cache-Control": CACHE_CONTROL})
