"""Conditional GETs: a page that can say cheaply what it would show gives it an ETag, and a
browser that already holds that version gets 304 with no body (issue 10: readers on slow
links re-read a discussion that has not changed). Only for pages that are the same for
everyone in the same browser: the HTML carries the browser's own CSRF token, which is part
of the tag, so the answer never lets a shared cache serve one visitor's page to another."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from app.i18n import current_locale
from app.security.csrf import FORM_FIELD


def entity_tag(request: Request, *parts: object) -> str | None:
    """A weak tag of what the page would show, from `parts` (what it is made of) and what
    every page carries (the browser's CSRF token, the language, the address); None when the
    page carries a one-time message (flash), which a 304 would lose."""
    state = request.scope.get("state", {})
    if state.get("flash_messages"):
        return None
    token = state.get(FORM_FIELD, "")
    seed = repr((parts, token, request.url.path, request.url.query, current_locale.get()))
    return f'W/"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'


def still_fresh(request: Request, tag: str) -> bool:
    """The browser's copy is this version (If-None-Match, compared weakly: RFC 9110 13.1.2)."""
    held = request.headers.get("if-none-match")
    if held is None:
        return False
    return held.strip() == "*" or tag in {candidate.strip() for candidate in held.split(",")}


def not_modified(tag: str) -> Response:
    """304: the browser shows its own copy; the headers say the same as the full answer's."""
    return Response(
        status_code=304,
        headers={"ETag": tag, "Vary": "HX-Request, Cookie", "Cache-Control": "private, no-cache"},
    )
