"""A surge on one key message for bench/run.py: `readers` anonymous readers read its first
page as fast as the site answers, each over its own keep-alive connection, first with
nothing else happening, then while a signed-in member posts one position a second.

Every post makes the stored page stale (its discussion version moves), so right after
each one the readers meet a page that must be built again; the question is how much the
readers' median and p99 move compared with the same readers when nothing is written."""

from __future__ import annotations

import asyncio
import re
import secrets
import statistics
import time
from typing import Any

import httpx

from bench.measure import BODY, EMAIL, PAGE, PASSWORD, form_guard


async def _sign_in(client: httpx.AsyncClient) -> dict[str, str]:
    """Through the real form; returns the hidden fields for the posts (the CSRF token, and the
    anti-bot stamp of the key message page's form)."""
    page = await client.get("/sign-in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError("no CSRF token on /sign-in")
    token = match.group(1)
    response = await client.post(
        "/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": ""}
    )
    if response.status_code != 303:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return {"csrf_token": token, **form_guard((await client.get(PAGE)).text)}


async def _read(client: httpx.AsyncClient, until: float, samples: list[float]) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await client.get(PAGE)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {PAGE}: {response.status_code}")


async def _post_every_second(client: httpx.AsyncClient, hidden: dict[str, str], until: float) -> list[float]:
    """One position a second, on the second (a slow answer delays the next one, never doubles it)."""
    latencies, next_at = [], time.perf_counter()
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        started = time.perf_counter()
        response = await client.post(
            f"{PAGE}/contributions",
            data={
                **hidden,
                "submission_key": f"surge-{secrets.token_hex(12)}",
                "position": "support",
                "body": BODY,
            },
        )
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 303:
            raise RuntimeError(f"POST: {response.status_code}: {response.text[:300]}")
        next_at += 1.0
    return latencies


def _summary(samples: list[float], seconds: float) -> dict[str, Any]:
    percentiles = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 1),
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(percentiles[89], 2),
        "p99_ms": round(percentiles[98], 2),
        "max_ms": round(max(samples), 2),
    }


async def _phase(site: str, readers: int, seconds: float, *, posting: bool) -> dict[str, Any]:
    clients = [httpx.AsyncClient(base_url=site, timeout=60) for _ in range(readers + 1)]
    try:
        member, reading = clients[0], clients[1:]
        hidden = await _sign_in(member) if posting else {}
        await asyncio.gather(*(client.get(PAGE) for client in reading))  # connections open, page stored
        samples: list[list[float]] = [[] for _ in reading]
        until = time.perf_counter() + seconds
        tasks = [_read(client, until, own) for client, own in zip(reading, samples, strict=True)]
        posts = asyncio.gather(_post_every_second(member, hidden, until)) if posting else None
        await asyncio.gather(*tasks)
        result = _summary([s for own in samples for s in own], seconds)
        if posts is not None:
            (post_latencies,) = await posts
            result["posts"] = len(post_latencies)
            result["post_median_ms"] = round(statistics.median(post_latencies), 2)
        return result
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def surge(site: str, readers: int, seconds: float) -> dict[str, dict[str, Any]]:
    """The readers alone, then the readers while one position a second is posted."""

    async def both() -> dict[str, dict[str, Any]]:
        quiet = await _phase(site, readers, seconds, posting=False)
        return {"quiet": quiet, "posting": await _phase(site, readers, seconds, posting=True)}

    return asyncio.run(both())
