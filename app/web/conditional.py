"""Conditional GETs (RFC 9110 section 13): a reading page that can say cheaply what it would
show gives readers who are not signed in an ETag and a Last-Modified, and a browser (or
nginx, deploy/) that already holds that version gets 304 with no body (issue 10: readers on
slow links re-read discussions that have not changed).

Only for pages that are the same for every such reader: they carry no CSRF token, no
one-time message and set no cookie (app.security.csrf, app.web.cache_policy), so the tag
says what the page shows, not whose browser asked."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from app.db import utcnow
from app.fragments import code_signature, fragments_cleared_at
from app.i18n import current_locale
from app.web.requests import db_of, identity_of

#: A change this recent gives no Last-Modified yet, only the ETag: the header has whole
#: seconds, so a second change within the same second, or one whose transaction commits a
#: moment after it took its time, would hide behind an If-Modified-Since of that second.
SETTLED = timedelta(seconds=2)
#: The code that renders the pages is no newer than this process (a deploy restarts it).
STARTED_AT = utcnow()
#: What a page's content depends on besides its address (app.web.cache_policy).
VARY = "HX-Request, Cookie, Accept-Language"


@dataclass(frozen=True, slots=True)
class Validators:
    """What a browser or a cache may ask with, to be told the page has not changed."""

    etag: str
    #: Whole seconds, UTC; None while the newest change is not SETTLED.
    last_modified: datetime | None

    def match(self, request: Request) -> bool:
        """The client holds this version. If-None-Match decides when it is sent; only
        without it does If-Modified-Since count (RFC 9110 13.2.2)."""
        held = request.headers.get("if-none-match")
        if held is not None:
            return held.strip() == "*" or self.etag in {candidate.strip() for candidate in held.split(",")}
        since = _http_date(request.headers.get("if-modified-since"))
        return since is not None and self.last_modified is not None and self.last_modified <= since

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Vary": VARY}
        if self.last_modified is not None:
            headers["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return headers

    def not_modified(self) -> Response:
        """304: the client shows its own copy; the validators are those of the full answer,
        and app.web.cache_policy gives it the same Cache-Control."""
        return Response(status_code=304, headers=self.headers())

    def stamp(self, response: Response) -> Response:
        for name, value in self.headers().items():
            response.headers[name] = value
        return response


async def anonymous_validators(
    request: Request, *parts: object, changed_at: Iterable[datetime | None]
) -> Validators | None:
    """Validators of a page from what it is made of (`parts`) and when any of that last
    changed (`changed_at`), besides what every page depends on: the code (this process's
    start) and the moment stored pages last went stale at once (a name or a badge changed,
    app.fragments.clear_fragments). None where a 304 would be wrong: signed-in pages (the
    person's own forms and names), htmx requests (a fragment shares the page's address) and
    a page carrying a one-time message, which a 304 would lose."""
    if identity_of(request).is_authenticated or "hx-request" in request.headers:
        return None
    if request.scope.get("state", {}).get("flash_messages"):
        return None
    cleared = await fragments_cleared_at(db_of(request))
    return Validators(entity_tag(request, *parts, cleared), last_modified([*changed_at, cleared, STARTED_AT]))


def entity_tag(request: Request, *parts: object) -> str:
    """A weak tag of what the page would show, from `parts` and what every page depends on:
    the code and templates, its address and the language."""
    seed = repr((parts, code_signature(), request.url.path, request.url.query, current_locale.get()))
    return f'W/"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'


def last_modified(instants: Iterable[datetime | None], now: datetime | None = None) -> datetime | None:
    """The newest of `instants`, in whole seconds; None while it is less than SETTLED ago."""
    newest = max((_utc(instant) for instant in instants if instant is not None), default=None)
    if newest is None or newest > (now or utcnow()) - SETTLED:
        return None
    return newest.replace(microsecond=0)


def passed(*instants: datetime | None) -> list[datetime | None]:
    """The instants already reached: a consultation's opening or closing changes its pages
    when it comes, with no write to say so."""
    now = utcnow()
    return [instant for instant in instants if instant is not None and _utc(instant) <= now]


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _http_date(value: str | None) -> datetime | None:
    """An HTTP date, or None for anything else (RFC 9110 13.1.3: an invalid date is ignored,
    and so is one later than now, which no Last-Modified of ours can have been)."""
    if not value:
        return None
    try:
        parsed = _utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed <= utcnow() else None
