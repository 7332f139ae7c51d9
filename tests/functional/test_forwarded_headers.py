"""Who the client is, behind a proxy (issue 14): `roundtable serve` believes X-Forwarded-For
only from the proxies FORWARDED_ALLOW_IPS lists. Otherwise any client could name any address
and step out of the sign-in throttle, which counts failures per network. Read from the access
log of a real `roundtable serve`, in LOG_FORMAT=json."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest

from tests.live import ROUNDTABLE, background_process, free_port, site_environment, wait_until_answers

CLAIMED = "203.0.113.77"


async def client_seen(own_database: str, tmp_path, allow: str) -> str:  # type: ignore[no-untyped-def]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**site_environment(own_database, tmp_path, base_url), "FORWARDED_ALLOW_IPS": allow, "LOG_FORMAT": "json"}
    log = tmp_path / f"serve-{allow}.log"
    args = [str(ROUNDTABLE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    async with contextlib.AsyncExitStack() as stack:
        process = await stack.enter_async_context(background_process(args, env=env, log_path=log))
        await wait_until_answers(f"{base_url}/healthz", process, log, "roundtable serve")
        async with httpx.AsyncClient(base_url=base_url) as client:
            response = await client.get(
                "/readyz", headers={"X-Forwarded-For": CLAIMED, "X-Request-ID": "forwarded-test-1"}
            )
            assert response.status_code == 200
    for line in log.read_text().splitlines():
        if line.startswith("{") and "/readyz" in line:
            record = json.loads(line)
            assert record["request_id"] == "forwarded-test-1"
            return str(record["message"]).split(" - ", 1)[0]
    pytest.fail(f"no access line for /readyz in:\n{log.read_text()[-2000:]}")


async def test_the_listed_proxy_is_believed(own_database, tmp_path):
    assert (await client_seen(own_database, tmp_path, "127.0.0.1")).startswith(CLAIMED)


async def test_anyone_else_naming_an_address_is_not(own_database, tmp_path):
    assert (await client_seen(own_database, tmp_path, "10.20.30.40")).startswith("127.0.0.1")
