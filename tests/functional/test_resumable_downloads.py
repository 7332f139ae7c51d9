"""A download cut short resumes (RFC 9110 section 14): position papers and export files
answer one byte range with 206, resume only while the file is the one the client holds
(If-Range with its strong ETag), say 416 past the end, and refuse exactly as before anyone
who may not download them. Ranges are of the bytes stored: never compressed."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select

from app import chunks
from app.audit.models import AuditEvent
from app.audit.services import EXPORT_DOWNLOAD
from app.discussion.models import Attachment, Contribution, ContributionStatus
from tests.functional.test_export_jobs import _done_export, _signed_in_negotiator
from tests.functional.test_position_papers import publish_with_paper, signed_in
from tests.functional.test_position_papers import stored as stored  # a fixture, for pytest
from tests.pdf_samples import tiny_pdf
from tests.support import post_form, visible_text

#: Small chunks, so that small files have several and ranges cross their boundaries.
CHUNK = 100
AS_STORED = {"Accept-Encoding": "identity"}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", CHUNK)


def ranges_within(size: int) -> dict[str, tuple[int, int]]:
    """Range headers, each with the first and last byte it selects."""
    return {
        "bytes=10-20": (10, 20),  # inside one chunk
        f"bytes={CHUNK - 5}-{CHUNK + 5}": (CHUNK - 5, CHUNK + 5),  # across a boundary
        f"bytes=50-{3 * CHUNK + 50}": (50, 3 * CHUNK + 50),  # across several
        f"bytes={size - 1}-{size - 1}": (size - 1, size - 1),  # the last byte
        "bytes=-150": (size - 150, size - 1),  # a suffix
        f"bytes={size * 9 // 10}-": (size * 9 // 10, size - 1),  # resumed at 90%
        f"bytes=0-{size * 10}": (0, size - 1),  # past the end: up to it
        "bytes=-" + "9" * 5000: (0, size - 1),  # an absurd suffix: all of it
    }


def assert_partial(response: httpx.Response, whole: bytes, first: int, last: int, etag: str) -> None:
    assert response.status_code == 206, response.text[:300]
    assert response.content == whole[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(whole)}"
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.headers["etag"] == etag and response.headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in response.headers


# -- position papers ---------------------------------------------------------------------


async def paper(client: httpx.AsyncClient, db) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    await signed_in(client, db)
    content = tiny_pdf(pages=4)
    assert len(content) > 5 * CHUNK
    attachment = await publish_with_paper(client, db, content)
    return f"/attachments/{attachment.id}", content


async def test_a_cut_paper_download_resumes_with_the_bytes_it_lacks(client, other_client, db, stored) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    whole = await other_client.get(url)
    assert whole.status_code == 200 and whole.content == content
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-length"] == str(len(content))
    etag = whole.headers["etag"]
    assert etag == f'"{hashlib.sha256(content).hexdigest()}"'  # strong: If-Range may name it

    for header, (first, last) in ranges_within(len(content)).items():
        resumed = await other_client.get(url, headers={"Range": header, "If-Range": etag})
        assert_partial(resumed, content, first, last, etag)
        assert resumed.headers["cache-control"] == "public, no-cache"
        assert resumed.headers["content-type"] == "application/pdf"
        assert resumed.headers["content-disposition"] == whole.headers["content-disposition"]
    # Without If-Range (a download manager's first ranged request) too.
    assert_partial(await other_client.get(url, headers={"Range": "bytes=5-9"}), content, 5, 9, etag)


@pytest.mark.parametrize(
    "if_range", ['"0123"', "W/{etag}", "Tue, 08 Dec 2026 01:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"]
)
async def test_a_paper_resumed_against_another_version_comes_whole(client, other_client, db, stored, if_range) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    etag = (await other_client.get(url)).headers["etag"]
    response = await other_client.get(url, headers={"Range": "bytes=100-", "If-Range": if_range.format(etag=etag)})
    assert response.status_code == 200 and response.content == content
    assert "content-range" not in response.headers


async def test_a_paper_range_past_its_end_is_416(client, other_client, db, stored) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    for header in (f"bytes={len(content)}-", "bytes=-0", f"bytes={10**40}-"):
        response = await other_client.get(url, headers={"Range": header})
        assert response.status_code == 416 and response.content == b""
        assert response.headers["content-range"] == f"bytes */{len(content)}"
        assert "content-disposition" not in response.headers


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=1-2\x7f"])
async def test_a_paper_range_we_do_not_serve_gives_the_whole_paper(client, other_client, db, stored, header) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    response = await other_client.get(url, headers={"Range": header})
    assert response.status_code == 200 and response.content == content


async def test_head_answers_a_range_without_its_body(client, other_client, db, stored) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    whole = await other_client.head(url)
    assert whole.status_code == 200 and whole.content == b"" and whole.headers["accept-ranges"] == "bytes"
    part = await other_client.head(url, headers={"Range": "bytes=10-19", "If-Range": whole.headers["etag"]})
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == f"bytes 10-19/{len(content)}" and part.headers["content-length"] == "10"


async def test_a_browser_holding_the_paper_still_gets_304_whatever_the_range(client, other_client, db, stored) -> None:  # type: ignore[no-untyped-def]
    url, _ = await paper(client, db)
    etag = (await other_client.get(url)).headers["etag"]
    held = await other_client.get(url, headers={"If-None-Match": etag, "Range": "bytes=0-9", "If-Range": etag})
    assert held.status_code == 304 and held.content == b""


async def test_someone_who_may_not_read_the_paper_learns_nothing_from_a_range(client, other_client, db, stored) -> None:  # type: ignore[no-untyped-def]
    url, content = await paper(client, db)
    etag = (await other_client.get(url)).headers["etag"]
    attachment = await db.get_one(Attachment, int(url.rsplit("/", 1)[1]))
    contribution = await db.get_one(Contribution, attachment.contribution_id)
    contribution.status = ContributionStatus.HIDDEN
    await db.commit()

    plain = await other_client.get(url)
    assert plain.status_code == 404
    for headers in (
        {"Range": "bytes=0-9"},
        {"Range": "bytes=0-9", "If-Range": etag},
        {"Range": f"bytes={len(content)}-"},  # a 416 would say the paper exists, and its size
        {"Range": "bytes=-1"},
    ):
        refused = await other_client.get(url, headers=headers)
        assert (refused.status_code, refused.content) == (404, plain.content)
        assert "content-range" not in refused.headers and "accept-ranges" not in refused.headers


# -- export files --------------------------------------------------------------------------


async def export_file(client: httpx.AsyncClient, db, connection) -> tuple[str, bytes, str]:  # type: ignore[no-untyped-def]
    """A finished export's download address, its bytes and strong ETag, downloaded whole once."""
    await _signed_in_negotiator(client, db)
    url = f"{await _done_export(client, db, connection)}/file"
    whole = await post_form(client, url, {}, headers=AS_STORED)
    assert whole.status_code == 200 and len(whole.content) > 5 * CHUNK
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-length"] == str(len(whole.content))
    assert whole.headers["etag"] == f'"{hashlib.sha256(whole.content).hexdigest()}"'
    return url, whole.content, whole.headers["etag"]


async def downloads_audited(db) -> list[str | None]:  # type: ignore[no-untyped-def]
    events = await db.scalars(select(AuditEvent).where(AuditEvent.tag == EXPORT_DOWNLOAD).order_by(AuditEvent.id))
    return [event.details.get("range") for event in events]


async def test_a_cut_export_download_resumes_and_each_request_is_audited(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    url, content, etag = await export_file(client, db, connection)
    wanted = ranges_within(len(content))
    for header, (first, last) in wanted.items():
        resumed = await post_form(client, url, {}, headers={"Range": header, "If-Range": etag, **AS_STORED})
        assert_partial(resumed, content, first, last, etag)
        assert resumed.headers["cache-control"] == "private, no-store"
    # One event per request that sent bytes, the whole download's without a range.
    size = len(content)
    assert await downloads_audited(db) == [None, *(f"bytes {a}-{b}/{size}" for a, b in wanted.values())]


async def test_a_compressed_export_offers_no_ranges_but_a_range_comes_as_stored(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    """Compressed, the bytes received are not the stored ones: no Accept-Ranges, a weak tag
    that no If-Range matches. A range is always of the stored bytes, never compressed."""
    url, content, etag = await export_file(client, db, connection)
    compressed = await post_form(client, url, {}, headers={"Accept-Encoding": "br, gzip"})
    assert compressed.headers["content-encoding"] == "br" and compressed.content == content
    assert "accept-ranges" not in compressed.headers and compressed.headers["etag"] == f"W/{etag}"
    resumed_weak = await post_form(
        client, url, {}, headers={"Accept-Encoding": "br, gzip", "Range": "bytes=10-", "If-Range": f"W/{etag}"}
    )
    assert resumed_weak.status_code == 200 and resumed_weak.content == content
    ranged = await post_form(client, url, {}, headers={"Accept-Encoding": "br, gzip", "Range": "bytes=10-"})
    assert_partial(ranged, content, 10, len(content) - 1, etag)


async def test_an_export_resumed_against_another_version_comes_whole(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    url, content, _ = await export_file(client, db, connection)
    for stale in ('"0123"', "Tue, 08 Dec 2026 01:00:00 GMT"):
        response = await post_form(client, url, {}, headers={"Range": "bytes=100-", "If-Range": stale, **AS_STORED})
        assert response.status_code == 200 and response.content == content
    assert await downloads_audited(db) == [None, None, None]


async def test_an_export_range_past_its_end_is_416_and_not_audited(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    url, content, etag = await export_file(client, db, connection)
    response = await post_form(client, url, {}, headers={"Range": f"bytes={len(content)}-", "If-Range": etag})
    assert response.status_code == 416 and response.content == b""
    assert response.headers["content-range"] == f"bytes */{len(content)}"
    assert await downloads_audited(db) == [None]  # the first, whole download only


async def test_another_negotiator_learns_nothing_from_a_range(client, other_client, db, connection) -> None:  # type: ignore[no-untyped-def]
    url, content, etag = await export_file(client, db, connection)
    await _signed_in_negotiator(other_client, db)
    await other_client.get("/")  # where "You are signed in" is shown, once
    plain = await post_form(other_client, url, {})
    assert plain.status_code == 404
    for header in ("bytes=0-9", f"bytes={len(content)}-", "bytes=-1"):
        refused = await post_form(other_client, url, {}, headers={"Range": header, "If-Range": etag})
        # The same page (its form token aside).
        assert (refused.status_code, visible_text(refused)) == (404, visible_text(plain))
        assert "content-range" not in refused.headers and "accept-ranges" not in refused.headers
    assert await downloads_audited(db) == [None]
