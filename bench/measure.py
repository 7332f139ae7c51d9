"""Timing the site's requests for bench/run.py: sequential requests over one keep-alive
connection per client, the body fully read; warm-up requests are not timed."""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.database import Database

SMALL_REF, LARGE_REF = "RT2-KM2", "RT2-KM3"
SMALL, PAGE = f"/consultations/com-2013-292/messages/{SMALL_REF}", f"/consultations/com-2013-292/messages/{LARGE_REF}"
EMAIL, PASSWORD = "bench-participant@example.org", "bench-password-not-secret"
BODY = (
    "Remittance costs remain far too high on many corridors. We propose a clear target, "
    "regular monitoring and **fair access** to payment systems for money transfer operators. "
) * 2


def timed(send: Callable[[int], httpx.Response], expected: int, count: int, warmup: int) -> list[float]:
    """Milliseconds per request, the body fully read; warm-up requests are not timed."""
    samples = []
    for number in range(warmup + count):
        start = time.perf_counter()
        response = send(number)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != expected:
            raise RuntimeError(
                f"{response.request.method} {response.request.url}: {response.status_code}, "
                f"expected {expected}: {response.text[:300]}"
            )
        if number >= warmup:
            samples.append(elapsed)
    return samples


def summary(samples: list[float], size: int | None = None) -> dict[str, Any]:
    deciles = statistics.quantiles(samples, n=10, method="inclusive")
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(deciles[8], 2),
        "min_ms": round(min(samples), 2),
        "bytes": size,
    }


def form_guard(page_text: str) -> dict[str, str]:
    """The anti-bot fields a page's contribution form carries (docs/decisions/0020): its
    signed stamp, good for this browser for hours, and the honeypot left empty. The bench's
    site has no minimum fill time (bench/run.py)."""
    match = re.search(r'name="form_stamp" value="([^"]+)"', page_text)
    if match is None:
        raise RuntimeError("no form stamp on the page: is the member signed in and may they contribute?")
    return {"form_stamp": match.group(1), "homepage": ""}


def sign_in(client: httpx.Client) -> str:
    """Through the real form; returns the CSRF token to reuse in later posts."""
    page = client.get("/sign-in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None or "rt_csrf" not in client.cookies:
        raise RuntimeError("no CSRF token on /sign-in")
    token = match.group(1)
    response = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": ""})
    if response.status_code != 303 or "rt_session" not in client.cookies:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return token


def poller_url(page: httpx.Response) -> str:
    """The live endpoint a page polls (app/discussion/live.py), as the browser would ask it."""
    match = re.search(r'id="live-poller" data-hx-get="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError("no live poller on the page")
    return match.group(1).replace("&amp;", "&")


def contributions_shown(page: httpx.Response) -> int:
    return page.text.count('class="contribution"')


def measure_pages(client: httpx.Client, database: Database, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Each discussion's first page for an anonymous reader: warm (the stored fragments) and
    cold (its version bumped before each request, as a write does: rendered in full)."""
    n, warm, results = args.requests, args.warmup, {}
    for name, path, ref in (("small", SMALL, SMALL_REF), ("large", PAGE, LARGE_REF)):
        page = client.get(path)
        results[f"page_{name}_warm"] = summary(
            timed(lambda _, path=path: client.get(path), 200, n, warm),  # type: ignore[misc]
            len(page.content),
        )
        results[f"page_{name}_warm"]["items"] = contributions_shown(page)
        results[f"page_{name}_cold"] = summary(
            timed_own(after_a_write(client, database, path, ref), n, warm), len(page.content)
        )
    # A reader whose browser holds the page asks again (If-None-Match): 304, no body.
    tag = client.get(PAGE).headers["etag"]
    results["page_large_revalidated"] = summary(
        timed(lambda _: client.get(PAGE, headers={"If-None-Match": tag}), 304, n, warm), 0
    )
    sorted_page = client.get(f"{PAGE}?sort=endorsed")
    results["page_large_sorted"] = summary(
        timed(lambda _: client.get(f"{PAGE}?sort=endorsed"), 200, n, warm), len(sorted_page.content)
    )
    return results


def after_a_write(
    client: httpx.Client, database: Database, path: str, ref: str, *, kind: str = "reply"
) -> Callable[[int], httpx.Response]:
    """A request for the page right after a write (in the database, untimed): a reply to one
    of its threads (the list is built again around the changed thread) or a new position
    (the list and the position table)."""
    write = database.reply_on_first_page if kind == "reply" else database.position_at_the_end

    def send(_number: int) -> httpx.Response:
        write(ref)
        start = time.perf_counter()
        response = client.get(path)
        response.elapsed_ms = (time.perf_counter() - start) * 1000  # type: ignore[attr-defined]
        return response

    return send


def measure_key_message(site: str, bare: str, database: Database, args: argparse.Namespace) -> dict[str, Any]:
    """The rows compared across database sizes: the large discussion's first page stored,
    right after a reply and right after a position, and the floor, measured one after the other (the machine's load
    drifts, their ratios less)."""
    n, warm = args.requests, args.warmup
    with httpx.Client(base_url=site, timeout=60) as client, httpx.Client(base_url=bare) as floor:
        size = len(client.get(PAGE).content)
        home = len(client.get("/").content)
        return {
            # The tallies of every key message: a few requests, it may take seconds.
            "home": summary(timed(lambda _: client.get("/"), 200, max(n // 10, 3), 1), home),
            "page_stored": summary(timed(lambda _: client.get(PAGE), 200, n, warm), size),
            "page_after_write": summary(timed_own(after_a_write(client, database, PAGE, LARGE_REF), n, warm), size),
            "page_after_position": summary(
                timed_own(after_a_write(client, database, PAGE, LARGE_REF, kind="position"), n, warm), None
            ),
            "bare_json": summary(
                timed(lambda _: floor.get("/comments"), 200, n, warm), len(floor.get("/comments").content)
            ),
        }


def timed_own(send: Callable[[int], httpx.Response], count: int, warmup: int) -> list[float]:
    """Like timed(), for requests that time themselves (to leave their set-up out)."""
    samples = []
    for number in range(warmup + count):
        response = send(number)
        if response.status_code != 200:
            raise RuntimeError(f"{response.request.url}: {response.status_code}")
        if number >= warmup:
            samples.append(response.elapsed_ms)  # type: ignore[attr-defined]
    return samples


def measure(site: str, bare: str, database: Database, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    n, warm = args.requests, args.warmup
    with (
        httpx.Client(base_url=site) as anonymous,
        httpx.Client(base_url=site) as member,
        httpx.Client(base_url=bare) as floor,
    ):
        results = measure_pages(anonymous, database, args)
        unchanged = poller_url(anonymous.get(PAGE))
        results["live_unchanged"] = summary(timed(lambda _: anonymous.get(unchanged), 204, n, warm), 0)
        token = sign_in(member)
        member_page = member.get(PAGE)
        guard = form_guard(member_page.text)
        results["page_signed_in"] = summary(timed(lambda _: member.get(PAGE), 200, n, warm), len(member_page.content))
        bare_size = len(floor.get("/comments").content)
        results["bare_json"] = summary(timed(lambda _: floor.get("/comments"), 200, n, warm), bare_size)

        def post(_number: int) -> httpx.Response:
            return member.post(
                f"{PAGE}/contributions",
                data={
                    "csrf_token": token,
                    **guard,
                    "submission_key": f"bench-{secrets.token_hex(12)}",
                    "position": "support",
                    "body": BODY,
                },
            )

        post(0)  # one new contribution since `unchanged` was rendered: each poll below brings it
        changed = anonymous.get(unchanged)
        results["live_changed"] = summary(timed(lambda _: anonymous.get(unchanged), 200, n, warm), len(changed.content))
        results["live_changed"]["items"] = contributions_shown(changed)
        results["post_contribution"] = summary(timed(post, 303, n, warm))
        results["page_after_post"] = summary(_page_after_each_post(anonymous, post, n), None)
    return results


def _page_after_each_post(client: httpx.Client, post: Callable[[int], httpx.Response], count: int) -> list[float]:
    """The page right after each post (a position, through the form): its list and its tally
    are built again."""
    samples = []
    for number in range(count):
        post(number)
        start = time.perf_counter()
        response = client.get(PAGE)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {PAGE}: {response.status_code}")
    return samples
