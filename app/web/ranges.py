"""Byte ranges (RFC 9110 section 14): a download cut short on a slow or flaky link resumes
where it stopped instead of starting over. Browsers and download managers send `Range`
with `If-Range` (the ETag they hold); we answer one range with 206, anything we do not
serve as a range with the whole file (200, which the RFC allows for any Range we choose to
ignore, multiple ranges included), and a range wholly past the end with 416.

Files kept as chunks (app.chunks) are served through `file_response`, which reads only the
bytes asked for (app.chunks.read_chunks)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import Enum

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

#: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`: one range, ASCII digits only, no
#: space inside (the unit is case-insensitive, RFC 9110 14.1).
_ONE_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII | re.IGNORECASE)
#: Larger than any file we keep: a longer number counts as this, so no absurd number is
#: ever converted (Python refuses to convert more than 4,300 digits).
_BEYOND = 10**18
_MAX_DIGITS = 18


class Unsatisfiable(Enum):
    """The range starts at or past the end (or the file is empty): 416, `bytes */size`."""

    UNSATISFIABLE = "unsatisfiable"


UNSATISFIABLE = Unsatisfiable.UNSATISFIABLE


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes `start` to `end`, both included, within a file of `size` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def parse_range(header: str | None, size: int) -> ByteRange | Unsatisfiable | None:
    """The one range `header` asks for within `size` bytes; None for the whole file (no
    header, another unit, several ranges, or anything malformed, `bytes=5-2` included:
    RFC 9110 14.2 lets a server ignore a Range); UNSATISFIABLE when it starts past the end."""
    if header is None:
        return None
    found = _ONE_RANGE.fullmatch(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if first:
        return _from(_number(first), _number(last) if last else None, size)
    if last:
        return _suffix(_number(last), size)
    return None  # `bytes=-`


def _number(digits: str) -> int:
    significant = digits.lstrip("0") or "0"
    return _BEYOND if len(significant) > _MAX_DIGITS else int(significant)


def _from(start: int, last: int | None, size: int) -> ByteRange | Unsatisfiable | None:
    if last is not None and last < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return ByteRange(start, size - 1 if last is None else min(last, size - 1), size)


def _suffix(length: int, size: int) -> ByteRange | Unsatisfiable:
    """The last `length` bytes, or the whole file when it is shorter (RFC 9110 14.1.3)."""
    if length == 0 or size == 0:
        return UNSATISFIABLE
    return ByteRange(max(0, size - length), size - 1, size)


def if_range_holds(if_range: str | None, etag: str) -> bool:
    """Whether a Range may be honoured: no If-Range, or one naming our strong `etag`
    (strong comparison, RFC 9110 13.1.5). A weak tag, another tag or a date does not hold:
    these files send no Last-Modified, so no date can match it."""
    if if_range is None:
        return True
    return not etag.startswith("W/") and if_range.strip() == etag


def requested_range(request: Request, size: int, etag: str) -> ByteRange | Unsatisfiable | None:
    """The range to answer, or None for the whole file (RFC 9110 13.2.2: If-Range is looked
    at only when there is a Range)."""
    wanted = parse_range(request.headers.get("range"), size)
    if wanted is None or not if_range_holds(request.headers.get("if-range"), etag):
        return None
    return wanted


#: Reads bytes `start` to `end` (both included) of the file being served.
Reader = Callable[[int, int], AsyncIterator[bytes]]


def file_response(
    wanted: ByteRange | Unsatisfiable | None,
    *,
    size: int,
    etag: str,
    read: Reader,
    media_type: str,
    headers: dict[str, str],
) -> Response:
    """The whole file (200, `wanted` None), the range `wanted` (206, Content-Range) or 416,
    each saying `Accept-Ranges: bytes` and carrying `headers` and the ETag. The body of a
    206 is read from the range's first chunk on; nothing before it is read."""
    common = {**headers, "ETag": etag, "Accept-Ranges": "bytes"}
    if wanted is UNSATISFIABLE:
        kept = {name: value for name, value in common.items() if name != "Content-Disposition"}
        return Response(status_code=416, headers={**kept, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        whole = {**common, "Content-Length": str(size)}
        return StreamingResponse(read(0, size - 1), media_type=media_type, headers=whole)
    partial = {**common, "Content-Range": wanted.content_range(), "Content-Length": str(wanted.length)}
    return StreamingResponse(read(wanted.start, wanted.end), status_code=206, media_type=media_type, headers=partial)
