"""`roundtable serve` as an operator runs it: with or without a log line per request."""

from __future__ import annotations

import httpx
import pytest

from tests.live import ROUNDTABLE, background_process, free_port, site_environment, wait_until_answers


@pytest.mark.parametrize(("options", "logged"), [([], True), (["--no-access-log"], False)])
async def test_the_access_log_can_be_left_to_the_proxy(database_url, tmp_path, options, logged):
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    command = [str(ROUNDTABLE), "serve", "--port", str(port), *options]
    async with background_process(command, env=site_environment(database_url, tmp_path, site), log_path=log) as server:
        await wait_until_answers(f"{site}/sign-in", server, log, "roundtable serve")
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{site}/sign-in?seen=once")).status_code == 200
    assert ("GET /sign-in?seen=once" in log.read_text()) is logged
