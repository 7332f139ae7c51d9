"""The compression middleware on its own: which coding a request gets, a streamed download
that still streams compressed a chunk at a time, and formats compressed already (the
negotiators' DOCX, XLSX and PDF) left as they are."""

from __future__ import annotations

import threading
import zlib
from collections.abc import AsyncIterator

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipResponder
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Message

from app.export.documents.formats import DOCUMENT_FORMATS
from app.web.compression import THREAD_MINIMUM_SIZE, BrotliResponder, CompressionMiddleware, preferred_encoding

ROW = b"organisation,country,position,text\n" + b"Forum des Senegalais,FR,support,We agree with the wording.\n" * 40


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("GZIP", "gzip"),
        ("br;q=0.2, gzip;q=0.8", "gzip"),
        ("br;q=0.8, gzip;q=0.8", "br"),
        ("br;q=0", "identity"),
        ("*;q=0.5", "br"),
        ("*, br;q=0", "gzip"),
        ("br;q=nonsense, gzip", "gzip"),
        ("deflate", "identity"),
        ("", "identity"),
    ],
)
def test_the_preferred_encoding(accept: str, expected: str) -> None:
    assert preferred_encoding(accept) == expected


async def _call(app: Starlette, path: str, accept: str, body: bytes | None = None) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"accept-encoding", accept.encode())],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    app.state.sent = sent
    app.state.body = body
    await app(scope, receive, send)
    return sent


def _site() -> Starlette:
    async def export(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield ROW
                # By the time the next chunk is asked for, this one has gone out.
                request.app.state.seen.append(sum(1 for m in request.app.state.sent if m["type"].endswith("body")))

        return StreamingResponse(chunks(), media_type="text/csv", headers={"Content-Length": str(3 * len(ROW))})

    async def document(request: Request) -> Response:
        body = request.app.state.body or ROW * 3
        return Response(body, media_type=request.path_params["media_type"].replace("_", "/"))

    app = Starlette(routes=[Route("/export.csv", export), Route("/document/{media_type:path}", document)])
    app.add_middleware(CompressionMiddleware)
    app.state.seen = []
    return app


@pytest.mark.parametrize("coding", ["br", "gzip"])
async def test_a_streamed_download_streams_compressed_a_chunk_at_a_time(coding: str) -> None:
    app = _site()
    sent = await _call(app, "/export.csv", coding)

    start, *bodies = sent
    headers = dict(start["headers"])
    assert headers[b"content-encoding"] == coding.encode()
    assert b"content-length" not in headers  # the length compressed is not known in advance
    assert app.state.seen == [1, 2, 3]  # each chunk went before the next was made
    decompressor = brotli.Decompressor() if coding == "br" else zlib.decompressobj(16 + zlib.MAX_WBITS)
    decode = decompressor.process if coding == "br" else decompressor.decompress
    # Each chunk decodes on arrival: the reader never waits for the end of the file.
    assert [decode(body["body"]) for body in bodies[:3]] == [ROW, ROW, ROW]


@pytest.mark.parametrize("media_type", [*(f.media_type for f in DOCUMENT_FORMATS), "image/png"])
async def test_formats_compressed_already_go_as_they_are(media_type: str) -> None:
    sent = await _call(_site(), f"/document/{media_type.replace('/', '_')}", "br, gzip")

    start, body = sent
    headers = dict(start["headers"])
    assert b"content-encoding" not in headers
    assert body["body"] == ROW * 3
    assert b"vary" not in headers  # nothing to vary on


@pytest.mark.parametrize("coding", ["br", "gzip"])
async def test_a_large_body_is_compressed_off_the_event_loop(coding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/decisions/0015: a 110 KB page takes about 4 ms to compress, too long for the loop."""
    loop_thread = threading.get_ident()
    threads: list[int] = []
    responder = BrotliResponder if coding == "br" else GZipResponder
    compress = responder._compress if coding == "br" else responder._compress_body

    def recorded(self, body: bytes, more_body: bool) -> bytes:  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return compress(self, body, more_body)

    monkeypatch.setattr(responder, "_compress" if coding == "br" else "_compress_body", recorded)
    large = ROW * (THREAD_MINIMUM_SIZE // len(ROW) + 1)
    small = ROW * 3

    for body in (small, large):
        sent = await _call(_site(), "/document/text_html", coding, body=body)
        assert dict(sent[0]["headers"])[b"content-encoding"] == coding.encode()

    assert threads[0] == loop_thread and threads[-1] != loop_thread


def _ranged_site() -> Starlette:
    """An export offered in byte ranges (app.web.ranges): its whole file and a part of it."""
    tag = '"5e1f"'

    async def whole(request: Request) -> Response:
        return Response(ROW * 3, media_type="text/csv", headers={"ETag": tag, "Accept-Ranges": "bytes"})

    async def part(request: Request) -> Response:
        headers = {"ETag": tag, "Accept-Ranges": "bytes", "Content-Range": f"bytes 0-{len(ROW) - 1}/{3 * len(ROW)}"}
        return Response(ROW, status_code=206, media_type="text/csv", headers=headers)

    app = Starlette(routes=[Route("/whole.csv", whole), Route("/part.csv", part)])
    app.add_middleware(CompressionMiddleware)
    return app


@pytest.mark.parametrize("accept", ["br", "gzip", "identity"])
async def test_a_range_goes_as_stored_under_its_strong_tag(accept: str) -> None:
    start, body = await _call(_ranged_site(), "/part.csv", accept)
    headers = dict(start["headers"])
    assert start["status"] == 206 and body["body"] == ROW
    assert b"content-encoding" not in headers
    assert headers[b"etag"] == b'"5e1f"' and headers[b"accept-ranges"] == b"bytes"


async def test_a_file_offering_ranges_keeps_its_strong_tag_sent_as_stored() -> None:
    start, body = await _call(_ranged_site(), "/whole.csv", "identity")
    headers = dict(start["headers"])
    assert body["body"] == ROW * 3 and b"content-encoding" not in headers
    assert headers[b"etag"] == b'"5e1f"' and headers[b"accept-ranges"] == b"bytes"
    assert b"Accept-Encoding" in headers[b"vary"]  # another client may get it compressed


@pytest.mark.parametrize("coding", ["br", "gzip"])
async def test_a_file_sent_compressed_offers_no_ranges(coding: str) -> None:
    """Ranges of what was received would not be ranges of the stored bytes: none offered
    (as nginx does), and a weak tag, which no If-Range matches."""
    start, *_ = await _call(_ranged_site(), "/whole.csv", coding)
    headers = dict(start["headers"])
    assert headers[b"content-encoding"] == coding.encode()
    assert b"accept-ranges" not in headers and headers[b"etag"] == b'W/"5e1f"'
