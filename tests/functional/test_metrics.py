"""/metrics for Prometheus (issue 14): requests by route and status with their latency, what
waits (mail, jobs), the contributions counter; only for a scraper with METRICS_TOKEN, and
nowhere without it. Read with prometheus_client's own parser, as Prometheus would."""

from __future__ import annotations

import dataclasses

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.datastructures import Secret

from app.mail.services import queue_mail
from app.main import create_app
from tests.factories import make_position, make_user

TOKEN = "scraper-token-for-tests-0123456789"


@pytest.fixture
def app(settings, connection):  # type: ignore[no-untyped-def]
    from tests.conftest import _sessionmaker

    return create_app(
        dataclasses.replace(settings, metrics_token=Secret(TOKEN)), sessionmaker=_sessionmaker(connection)
    )


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


async def test_requests_are_counted_by_route_and_status_with_their_latency(client, consultation):
    before = await scrape(client)
    key = ("roundtable_http_requests_total", (("method", "GET"), ("route", "healthz"), ("status", "200")))
    for _ in range(3):
        await client.get("/healthz")
    await client.get("/no/such/page")
    after = await scrape(client)
    assert after[key] - before.get(key, 0) == 3
    unmatched = ("roundtable_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))
    assert after[unmatched] - before.get(unmatched, 0) == 1
    count = ("roundtable_http_request_duration_seconds_count", (("method", "GET"), ("route", "healthz")))
    assert after[count] - before.get(count, 0) == 3


async def test_what_waits_and_the_contributions_counter_come_from_the_database(client, db, consultation):
    await queue_mail(db, "someone@example.org", "Subject", "Body")
    contribution = await make_position(db, consultation, author=await make_user(db), body="Counted.")
    await db.flush()
    figures = await scrape(client)
    assert figures[("roundtable_mail_waiting", ())] >= 1
    assert figures[("roundtable_contributions_total", ())] == contribution.id
    assert figures[("roundtable_jobs", (("status", "queued"),))] == 0


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
async def test_anyone_without_the_token_is_refused_and_learns_nothing(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 401 and "roundtable_" not in response.text
    assert response.headers["www-authenticate"] == "Bearer"


async def test_without_a_token_configured_there_is_no_metrics_page(settings, connection):
    from httpx import ASGITransport, AsyncClient

    from tests.conftest import _sessionmaker

    bare = create_app(settings, sessionmaker=_sessionmaker(connection))
    async with AsyncClient(transport=ASGITransport(app=bare), base_url="http://test") as client:
        assert (await client.get("/metrics", headers={"Authorization": "Bearer "})).status_code == 404


async def test_the_workers_of_one_machine_are_counted_together(own_database, tmp_path):
    """`roundtable serve --workers 2`: each request lands on one worker or the other; the
    scrape, on either, counts them all (prometheus_client's multiprocess mode)."""
    import contextlib

    import httpx

    from tests.live import ROUNDTABLE, background_process, free_port, site_environment, wait_until_answers

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**site_environment(own_database, tmp_path, base_url), "METRICS_TOKEN": TOKEN}
    log = tmp_path / "serve.log"
    args = [str(ROUNDTABLE), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    async with contextlib.AsyncExitStack() as stack:
        process = await stack.enter_async_context(background_process(args, env=env, log_path=log))
        await wait_until_answers(f"{base_url}/healthz", process, log, "roundtable serve")
        async with httpx.AsyncClient(base_url=base_url) as client:
            before = await scrape(client)
            # New connections each time, so both workers take some.
            for _ in range(40):
                async with httpx.AsyncClient(base_url=base_url) as one:
                    assert (await one.get("/healthz")).status_code == 200
            after = await scrape(client)
    key = ("roundtable_http_requests_total", (("method", "GET"), ("route", "healthz"), ("status", "200")))
    assert after[key] - before.get(key, 0) == 40
    assert (tmp_path / "prometheus").is_dir() and any((tmp_path / "prometheus").glob("*.db"))
