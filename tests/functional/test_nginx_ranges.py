"""deploy/nginx.conf passes byte ranges through to the site: with its micro-cache on, nginx
would otherwise drop Range and If-Range from every GET, and a cut download would start over.
A ranged answer is never kept in the cache nor served from it. The site here is a stand-in
(tests/ranged_upstream.py) serving a file as the site's downloads do."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.live import background_process, free_port, wait_until_answers
from tests.nginx import Nginx, nginx_in_front
from tests.ranged_upstream import CONTENT, ETAG


@pytest.fixture(scope="module")
async def nginx(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Nginx]:
    folder = tmp_path_factory.mktemp("nginx_ranges")
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", "tests.ranged_upstream:app", "--port", str(port), "--log-level", "warning"]
    log_path = folder / "upstream.log"
    async with background_process(args, env=None, log_path=log_path) as upstream:
        await wait_until_answers(f"http://127.0.0.1:{port}/", upstream, log_path, "the stand-in site")
        async with nginx_in_front(folder, [port]) as in_front:
            await in_front.answering()
            yield in_front


def unique_path(cache_control: str) -> str:
    return f"/attachments/{secrets.token_hex(4)}?cache_control={cache_control}"


@pytest.mark.parametrize("cache_control", ["paper", "private", "shared"])
async def test_a_range_and_its_if_range_reach_the_site(nginx: Nginx, cache_control: str) -> None:
    async with httpx.AsyncClient(base_url=nginx.base_url) as client:
        response = await client.get(unique_path(cache_control), headers={"Range": "bytes=10-19", "If-Range": ETAG})
    assert response.headers["x-seen-range"] == "bytes=10-19" and response.headers["x-seen-if-range"] == ETAG
    assert response.status_code == 206 and response.content == CONTENT[10:20]
    assert response.headers["content-range"] == f"bytes 10-19/{len(CONTENT)}"
    assert response.headers["x-cache-status"] == "BYPASS"


async def test_a_ranged_answer_is_never_kept_for_others(nginx: Nginx) -> None:
    """Even for an address whose answers are shared: the next reader gets the whole file."""
    path = unique_path("shared")
    async with httpx.AsyncClient(base_url=nginx.base_url) as client:
        assert (await client.get(path, headers={"Range": "bytes=0-9"})).status_code == 206
        after = await client.get(path)
    assert after.status_code == 200 and after.content == CONTENT
    assert after.headers["x-cache-status"] == "MISS"  # nothing was stored by the ranged request


async def test_a_post_download_passes_its_range_too(nginx: Nginx) -> None:
    """Export files are downloaded with a POST (decision 0024); nginx never caches those."""
    async with httpx.AsyncClient(base_url=nginx.base_url) as client:
        response = await client.post(unique_path("private"), headers={"Range": "bytes=-5", "If-Range": ETAG})
    assert response.status_code == 206 and response.content == CONTENT[-5:]
