"""Compression by the app itself (issue 13, slow links): Brotli where the client accepts it,
else gzip, so `make run` sends what the deployment sends.

Starlette's GZip middleware does the work: its responders hold the response's start until
the first body chunk decides (small bodies stay as they are, streamed ones are compressed a
chunk at a time and still stream, a response that already has an encoding or a format that
is compressed already passes through); this module adds a Brotli responder on the same
machinery (Google's brotli), chooses between them by the request's Accept-Encoding with its
q-values, and keeps validators honest: every response whose body may be compressed says
`Vary: Accept-Encoding` and carries a weak ETag (RFC 9110 8.8.1: the encodings are the same
content, not the same bytes), as nginx does, so a 304 answers a browser holding either. A
file offered in byte ranges (app.web.ranges) keeps its strong ETag while it goes as stored,
and offers no ranges once compressed; a range (206) is never compressed."""

from __future__ import annotations

import anyio.to_thread
import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Formats compressed already (images, fonts, zip containers such as DOCX and XLSX, PDF's
#: own streams): compressing them again costs time and saves nothing.
ALREADY_COMPRESSED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
#: Below this a body goes as it is: an encoding's header and framing would outweigh the gain.
MINIMUM_SIZE = 500
#: Brotli's quality for pages made per request: 5 compresses HTML better than gzip's best in
#: about the time gzip takes (11, the densest, is for files compressed once).
BROTLI_QUALITY = 5
#: gzip's level for the few clients without Brotli: 9 takes half as long again as 6 for 1% less.
GZIP_LEVEL = 6
#: Chunks this large are compressed in a worker thread (docs/decisions/0015: what stays on
#: the event loop takes under about 2 ms). Brotli at quality 5 and gzip at level 6 both take
#: about 4 ms for a 110 KB page, so 32 KB takes about 1.2 ms.
THREAD_MINIMUM_SIZE = 32 * 1024
BROTLI, GZIP, IDENTITY = "br", "gzip", "identity"


def preferred_encoding(accept_encoding: str) -> str:
    """The coding to send: the one the client weighs highest among br and gzip (br when they
    tie), or identity when it accepts neither (q=0, or not named and no `*`)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        if coding.strip():
            weights[coding.strip().lower()] = _quality(parameters)
    default = weights.get("*", 0.0)
    best = max((BROTLI, GZIP), key=lambda coding: weights.get(coding, default))
    return best if weights.get(best, default) > 0 else IDENTITY


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


class BrotliResponder(IdentityResponder):
    """Starlette's responder with Brotli as the coding; a streamed body is flushed at each
    chunk, so the client gets every chunk as it comes."""

    content_encoding = BROTLI

    def __init__(self, app: ASGIApp, minimum_size: int, *, exclude_content_types: tuple[str, ...]) -> None:
        super().__init__(app, minimum_size, exclude_content_types=exclude_content_types)
        self._compressor: brotli.Compressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if len(body) >= THREAD_MINIMUM_SIZE:
            return await anyio.to_thread.run_sync(self._compress, body, more_body)
        return self._compress(body, more_body)

    def _compress(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None:
            self._compressor = brotli.Compressor(mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)
        compressed: bytes = self._compressor.process(body)
        ending: bytes = self._compressor.flush() if more_body else self._compressor.finish()
        return compressed + ending


class CompressionMiddleware:
    """Compresses responses in the coding the client prefers (see the module's docstring)."""

    def __init__(self, app: ASGIApp, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = preferred_encoding(Headers(scope=scope).get("accept-encoding", ""))
        await self._responder(encoding)(scope, receive, _with_validators_per_encoding(send))

    def _responder(self, encoding: str) -> IdentityResponder:
        if encoding == BROTLI:
            return BrotliResponder(self.app, self.minimum_size, exclude_content_types=ALREADY_COMPRESSED)
        if encoding == GZIP:
            return GZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=GZIP_LEVEL,
                thread_minimum_size=THREAD_MINIMUM_SIZE,
                exclude_content_types=ALREADY_COMPRESSED,
            )
        return IdentityResponder(self.app, self.minimum_size, exclude_content_types=ALREADY_COMPRESSED)


def _with_validators_per_encoding(send: Send) -> Send:
    """Whatever the coding chosen this time (or none, for a small body), a response that may
    be compressed varies on Accept-Encoding and has a weak ETag: the same in every coding,
    so a 304 (which has no body, and so no coding) matches the copy the browser holds."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and _may_be_compressed(message):
            headers = MutableHeaders(scope=message)
            if "accept-encoding" not in {name.strip().lower() for name in headers.get("vary", "").split(",")}:
                headers.add_vary_header("Accept-Encoding")
            _keep_ranges_honest(headers)
        await send(message)

    return sending


def _keep_ranges_honest(headers: MutableHeaders) -> None:
    """A file offered in byte ranges (app.web.ranges) is resumed with ranges of the bytes
    stored, under its strong ETag in If-Range: sent as stored, it keeps both. Compressed,
    the bytes received are not the stored ones, so the response offers no ranges (as nginx
    does) and its tag turns weak, which no If-Range matches: a resumed download starts over
    instead of splicing two codings. Anything else gets the weak tag of every coding."""
    compressed = "content-encoding" in headers
    if compressed:
        del headers["accept-ranges"]
    etag = headers.get("etag")
    as_stored = not compressed and headers.get("accept-ranges") == "bytes"
    if etag is not None and not etag.startswith("W/") and not as_stored:
        headers["etag"] = f"W/{etag}"


def _may_be_compressed(message: Message) -> bool:
    if message["status"] in {206, 416}:
        # Part of a file, or none of it: never compressed (Starlette passes a 206 as it is).
        return False
    media_type = Headers(raw=message.get("headers", [])).get("content-type", "").partition(";")[0].strip().lower()
    if message["status"] == 304 and not media_type:
        # No body and no type: it may stand for a compressed one. A 304 that names a type
        # never compressed (a position paper's) keeps its strong tag, as its 200 did.
        return True
    return (
        bool(media_type)
        and media_type not in ALREADY_COMPRESSED
        and f"{media_type.partition('/')[0]}/*" not in (ALREADY_COMPRESSED)
    )
