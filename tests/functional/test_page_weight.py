"""What a reader on a slow link downloads (issue 13): the first view of a key message with
5,000 contributions, its HTML and the style sheets and scripts it loads, compressed as sent
to a browser, is at most 50 KB; an htmx fragment ("Show more", a posted reply) at most 10 KB.

Bodies are counted as they travel, before decoding (httpx's raw stream); headers are not."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import brotli
import httpx
import pytest

from app.demo.generator import generate_demo_data
from tests.factories import PASSWORD, make_user
from tests.support import hidden_fields, sign_in, soup

REF = "RT2-KM3"
KM = f"/consultations/com-2013-292/messages/{REF}"
#: What Chromium and Firefox send.
BROWSER = "gzip, deflate, br, zstd"
PAGE_BUDGET = 50 * 1024
FRAGMENT_BUDGET = 10 * 1024
ENCODING_HEADERS = ("content-encoding", "content-length")
DECODERS = {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}
HTMX = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{KM}"}


@dataclass(frozen=True)
class Weight:
    address: str
    sent: int  # bytes of the body as sent
    decoded: int


async def weigh(client: httpx.AsyncClient, method: str, address: str, **kwargs) -> tuple[Weight, httpx.Response]:  # type: ignore[no-untyped-def]
    headers = {"Accept-Encoding": BROWSER, **kwargs.pop("headers", {})}
    async with client.stream(method, address, headers=headers, **kwargs) as streamed:
        raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
    assert streamed.status_code in (200, 201), (address, streamed.status_code)
    decoded = DECODERS[streamed.headers.get("content-encoding", "identity")](raw)
    plain = {
        name: value for name, value in streamed.headers.items() if name not in ("content-encoding", "content-length")
    }
    return Weight(address, len(raw), len(decoded)), httpx.Response(streamed.status_code, headers=plain, content=decoded)


async def first_view(client: httpx.AsyncClient) -> list[Weight]:
    """The page and every style sheet and script it loads (not cached yet: a first view)."""
    page, response = await weigh(client, "GET", KM)
    document = soup(response)
    loads = [str(tag["href"]) for tag in document.select("link[rel=stylesheet][href]")]
    loads += [str(tag["src"]) for tag in document.select("script[src]")]
    assert any(".css" in load for load in loads) and any("htmx" in load for load in loads)
    return [page, *[(await weigh(client, "GET", load))[0] for load in loads]]


def report(what: str, weights: list[Weight]) -> str:
    lines = [f"{weight.address}: {weight.sent:,} B sent ({weight.decoded:,} B decoded)" for weight in weights]
    return f"{what}: {sum(w.sent for w in weights):,} B sent\n  " + "\n  ".join(lines)


@pytest.fixture
async def busy(db, consultation):  # type: ignore[no-untyped-def]
    await generate_demo_data(db, contributions=5000, key_message_ref=REF, consultation_slug=None, random_seed=4)
    await db.commit()


async def test_the_first_view_of_a_busy_key_message_weighs_at_most_50_kb(client, busy) -> None:
    weights = await first_view(client)

    print(report("first view, not signed in", weights))  # the figures, shown with -s
    assert sum(weight.sent for weight in weights) <= PAGE_BUDGET, report("first view", weights)
    assert weights[0].decoded > 5 * weights[0].sent  # it was compressed, and it is a full page


async def test_the_first_view_signed_in_weighs_at_most_50_kb(client, db, busy) -> None:
    """A participant's page also carries the position form and the quoting script."""
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)

    weights = await first_view(client)

    print(report("first view, signed in", weights))  # the figures, shown with -s
    assert any("quote" in weight.address for weight in weights)
    assert sum(weight.sent for weight in weights) <= PAGE_BUDGET, report("first view", weights)


async def test_show_more_and_a_posted_reply_weigh_at_most_10_kb_each(client, db, busy) -> None:
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    page = soup(await client.get(KM))
    more = str(page.select_one("#more a")["href"])
    first = page.select_one("#discussion-list [id^=c]")
    assert first is not None

    shown, _ = await weigh(client, "GET", KM + more if more.startswith("?") else more, headers=HTMX)
    fields = await hidden_fields(client)
    reply_to = first["id"].removeprefix("c")
    posted, response = await weigh(
        client,
        "POST",
        f"/contributions/{reply_to}/replies",
        data={**fields, "body": "A reply on a slow link.", "submission_key": "weight-reply-01"},
        headers=HTMX,
    )

    print(report("fragments", [shown, posted]))  # the figures, shown with -s
    assert "<html" not in response.text and "A reply on a slow link." in response.text
    assert shown.sent <= FRAGMENT_BUDGET and posted.sent <= FRAGMENT_BUDGET, report("fragments", [shown, posted])
