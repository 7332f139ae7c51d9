"""Readers on slow links get pages, styles, scripts, feeds and JSON compressed by the app
itself (issue 13): Brotli when their browser accepts it, else gzip, else nothing; a small
answer is never made larger; a conditional GET still ends in 304 whatever the coding, and
the validators say which codings a cache must tell apart."""

from __future__ import annotations

import gzip

import brotli
import httpx
import pytest

from tests.support import soup

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM3"
#: What each kind of body looks like, and where one is.
BODIES = {
    "text/html": KM,
    "application/atom+xml": f"{KM}/feed.atom",
    "text/css": "css/site.css",
    "text/javascript": "js/htmx-2.0.11.min.js",
}
CODINGS = {"br": brotli.decompress, "gzip": gzip.decompress}


async def _address(client: httpx.AsyncClient, where: str) -> str:
    """A page's address, or the address the pages link a static file at."""
    if where.startswith("/"):
        return where
    links = soup(await client.get(KM)).select("link[rel=stylesheet], script[src]")
    found = [link.get("href") or link.get("src") for link in links]
    stem = where.rsplit(".", 1)[0]
    return next(str(address) for address in found if stem in str(address))


async def _raw(client: httpx.AsyncClient, path: str, accept: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body exactly as sent (httpx would decode it)."""
    async with client.stream("GET", path, headers={"Accept-Encoding": accept, **headers}) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


@pytest.mark.parametrize("coding", list(CODINGS))
@pytest.mark.parametrize("media_type", list(BODIES))
async def test_each_kind_of_body_is_compressed_in_the_coding_the_client_prefers(client, coding, media_type) -> None:
    path = await _address(client, BODIES[media_type])
    plain, plain_body = await _raw(client, path, "identity")
    response, body = await _raw(client, path, f"{coding}, deflate")

    assert response.status_code == plain.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-encoding"] == coding
    assert "content-encoding" not in plain.headers
    assert CODINGS[coding](body) == plain_body
    assert int(response.headers["content-length"]) == len(body) < len(plain_body)
    assert "accept-encoding" in _vary(response) and "accept-encoding" in _vary(plain)


async def test_json_is_compressed(client) -> None:
    response, body = await _raw(client, "/schema/consolidated-input.json", "gzip")

    assert response.headers["content-type"].startswith("application/schema+json")
    assert response.headers["content-encoding"] == "gzip"
    assert b'"$schema"' in gzip.decompress(body)


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what browsers send
        ("gzip", "gzip"),
        ("br;q=0.5, gzip", "gzip"),  # weighed
        ("br;q=0, gzip;q=0", None),  # refused
        ("*", "br"),
        ("identity", None),
        ("", None),
    ],
)
async def test_the_coding_follows_accept_encoding_and_its_weights(client, accept, coding) -> None:
    response, _ = await _raw(client, KM, accept)

    assert response.headers.get("content-encoding") == coding


async def test_a_small_answer_is_sent_as_it_is_not_inflated(client) -> None:
    """The icon is a few hundred bytes: a coding's framing would outweigh what it saves."""
    small, small_body = await _raw(client, "/static/favicon.svg", "br, gzip")

    assert "content-encoding" not in small.headers
    assert len(small_body) == int(small.headers["content-length"]) < 500


@pytest.mark.parametrize("coding", [*CODINGS, "identity"])
async def test_a_conditional_get_ends_in_304_whatever_the_coding(client, coding) -> None:
    """The ETag is weak and the same in every coding (the content is the same), so the copy a
    browser holds, in whichever coding it came, is confirmed without a body."""
    first, _ = await _raw(client, KM, coding)
    etags = {first.headers["etag"]}
    for other in CODINGS:
        again, _ = await _raw(client, KM, other)
        etags.add(again.headers["etag"])
    assert len(etags) == 1 and first.headers["etag"].startswith("W/")

    revalidated, body = await _raw(client, KM, coding, **{"If-None-Match": first.headers["etag"]})

    assert revalidated.status_code == 304 and body == b""
    assert revalidated.headers["etag"] == first.headers["etag"]
    assert "accept-encoding" in _vary(revalidated)


@pytest.mark.parametrize("coding", list(CODINGS))
async def test_a_static_file_revalidates_with_its_weak_tag(client, coding) -> None:
    """Starlette gives files a strong ETag; compressed, the bytes differ, so it is weakened."""
    path = await _address(client, BODIES["text/css"])
    first, _ = await _raw(client, path, coding)
    assert first.headers["etag"].startswith('W/"')

    revalidated, body = await _raw(client, path, coding, **{"If-None-Match": first.headers["etag"]})

    assert revalidated.status_code == 304 and body == b""
    assert revalidated.headers["etag"] == first.headers["etag"]


def _vary(response: httpx.Response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("vary", "").split(",")}
