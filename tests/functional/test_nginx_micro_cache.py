"""The real nginx, with deploy/nginx.conf, in front of the real site (issue 10): readers who
are not signed in share a copy of a page for one second; signed-in people, htmx requests,
one-time messages and POSTs always reach the app; a write shows within a second.

nginx keeps a copy until the end of the second it was made in (the app's X-Accel-Expires),
so a copy made late in a second lives only a moment: the tests that want a HIT ask again, a
bounded number of times."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.accounts.oidc import DANCE_COOKIE
from app.accounts.sessions import SESSION_COOKIE
from app.accounts.signin import PENDING_COOKIE
from app.security.csrf import COOKIE_NAME as CSRF_COOKIE
from app.web.cache_policy import SHARED_VARY
from app.web.flash import FLASH_COOKIE
from tests.live import (
    LiveServer,
    free_port,
    guard_fields,
    key_message_path,
    live_server,
    person,
    post_position,
)
from tests.nginx import SITE_CONFIG, nginx_in_front
from tests.support import soup

__all__ = ["live_server"]  # a fixture, imported for pytest

#: A key message no other test on the live site writes to.
REF = "EU-A5"
PAGE = key_message_path(REF)
ATTEMPTS = 10


@pytest.fixture(scope="module")
async def cached_site(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """The live site as readers reach it: through nginx and its micro-cache."""
    app_port = int(live_server.base_url.rsplit(":", 1)[1])
    async with nginx_in_front(tmp_path_factory.mktemp("nginx"), [app_port]) as nginx:
        await nginx.answering()
        yield replace(live_server, base_url=nginx.base_url)


def status(response: httpx.Response) -> str | None:
    return response.headers.get("x-cache-status")


async def hit_after_a_miss(client: httpx.AsyncClient, address: str = PAGE) -> tuple[httpx.Response, httpx.Response]:
    """Two requests in a row until the second is served from the copy the first left."""
    for _ in range(ATTEMPTS):
        first, second = await client.get(address), await client.get(address)
        if status(second) == "HIT":
            return first, second
    pytest.fail(f"no HIT in {ATTEMPTS} pairs of requests for {address}")


async def test_a_reader_not_signed_in_gets_the_shared_copy(cached_site: LiveServer) -> None:
    async with person(cached_site) as reader, person(cached_site) as another:
        first, second = await hit_after_a_miss(reader)
        assert first.status_code == second.status_code == 200
        assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
        assert "set-cookie" not in second.headers and "x-accel-expires" not in second.headers
        # Another reader, who once opened a form and so holds a form token, shares it too.
        await another.get("/sign-in")
        assert CSRF_COOKIE in another.cookies
        _, theirs = await hit_after_a_miss(another)
        assert theirs.content == first.content


async def test_a_signed_in_page_never_comes_from_the_cache(cached_site: LiveServer) -> None:
    async with person(cached_site) as reader, person(cached_site, cached_site.participant) as participant:
        await hit_after_a_miss(reader)  # a shared copy exists
        for _ in range(3):
            own = await participant.get(PAGE)
            assert status(own) == "BYPASS" and own.headers["cache-control"] == "private, no-store"
            assert cached_site.participant.name in own.text
        # And what the participant was sent was kept for nobody else.
        for _ in range(3):
            assert cached_site.participant.name not in (await reader.get(PAGE)).text


@pytest.mark.parametrize("cookie", [SESSION_COOKIE, FLASH_COOKIE, PENDING_COOKIE, DANCE_COOKIE])
async def test_a_request_with_a_cookie_that_changes_the_page_skips_the_cache(cached_site: LiveServer, cookie) -> None:
    async with person(cached_site) as reader:
        await hit_after_a_miss(reader)
        reader.cookies.set(cookie, "x" * 43)
        assert status(await reader.get(PAGE)) == "BYPASS"


async def test_htmx_requests_skip_the_cache(cached_site: LiveServer) -> None:
    async with person(cached_site) as reader:
        await hit_after_a_miss(reader)
        swap = await reader.get(PAGE, headers={"HX-Request": "true", "HX-Target": "discussion-list"})
        assert status(swap) == "BYPASS" and "<html" not in swap.text


async def test_a_page_that_sets_a_cookie_is_never_kept(cached_site: LiveServer) -> None:
    for _ in range(3):
        async with person(cached_site) as newcomer:
            form = await newcomer.get("/sign-in")
            assert "set-cookie" in form.headers and status(form) != "HIT"


async def test_posts_always_reach_the_app(cached_site: LiveServer) -> None:
    async with person(cached_site, cached_site.participant) as participant:
        bodies = [f"Posted through nginx {secrets.token_hex(4)}." for _ in range(2)]
        ids = [await post_position(participant, REF, body) for body in bodies]
        assert len(set(ids)) == 2
    async with person(cached_site) as stranger:
        for _ in range(2):
            refused = await stranger.post("/sign-in", data={"email": "a@example.org", "password": "x"})
            assert refused.status_code == 403 and status(refused) in (None, "BYPASS")


async def test_a_write_shows_within_a_second(cached_site: LiveServer) -> None:
    async with person(cached_site) as reader, person(cached_site, cached_site.participant) as participant:
        await hit_after_a_miss(reader)
        body = f"Fresh words {secrets.token_hex(4)}."
        await post_position(participant, REF, body)
        # The copy the reader got lives until the end of the second it was made in.
        await asyncio.sleep(1.05)
        fresh = await reader.get(PAGE)
        assert body in fresh.text and status(fresh) in ("MISS", "EXPIRED")


async def test_an_unchanged_page_is_revalidated_not_rendered_again(cached_site: LiveServer) -> None:
    async with person(cached_site) as reader:
        await hit_after_a_miss(reader)
        await asyncio.sleep(1.05)
        # nginx asks the app with the copy's ETag; the app answers 304 and the copy lives on.
        assert status(await reader.get(PAGE)) == "REVALIDATED"


def test_the_cache_key_covers_what_the_pages_vary_on() -> None:
    config = SITE_CONFIG.read_text()
    key = re.search(r"proxy_cache_key\s+\"([^\"]+)\";", config)
    assert key is not None
    wanted = {"$http_hx_request", "$cookie_rt_lang", "$http_accept_language", "$http_accept_encoding"}
    assert wanted <= set(re.findall(r"\$\w+", key.group(1)))
    # Cookie: the map of personal cookies, and the language cookie in the key.
    assert set(SHARED_VARY) == {"HX-Request", "Cookie", "Accept-Language"}


async def test_each_coding_has_its_own_copy(cached_site: LiveServer) -> None:
    """The app compresses in the coding a browser offers (issue 13); a copy kept for one
    coding never reaches a browser that did not offer it."""
    async with person(cached_site) as reader:
        reader.headers["Accept-Encoding"] = "br"
        _, kept = await hit_after_a_miss(reader)
        assert kept.headers["content-encoding"] == "br"
        reader.headers["Accept-Encoding"] = "gzip"
        for _ in range(3):
            assert (await reader.get(PAGE)).headers["content-encoding"] == "gzip"


async def test_static_files_go_through_the_app_and_are_kept(cached_site: LiveServer) -> None:
    """Their hashed names exist only in the app, which gives them a year's lifetime."""
    async with person(cached_site) as reader:
        reader.headers["Accept-Encoding"] = "gzip, deflate, br"
        sheet = soup(await reader.get(PAGE)).select_one("link[rel=stylesheet]")
        assert sheet is not None
        first, second = await hit_after_a_miss(reader, str(sheet["href"]))
        assert first.status_code == second.status_code == 200 and second.content == first.content
        assert second.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert second.headers["content-encoding"] == "br"


async def answer_once_listening(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """nginx's first answer, once it listens (wait_until_answers waits for a success, which an
    nginx with no app behind it never gives)."""
    for _ in range(300):
        try:
            return await client.get(path)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    pytest.fail("nginx did not listen within 30 s")


async def test_nginx_answers_for_an_app_that_is_down_with_our_page_and_headers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """No app listens behind this nginx: its 502 is deploy/_errors/unavailable.html with the
    app's security headers, and nothing says which nginx it is (issue 14)."""
    async with nginx_in_front(tmp_path_factory.mktemp("nginx_down"), [free_port()]) as nginx:
        async with httpx.AsyncClient(base_url=nginx.base_url) as client:
            response = await answer_once_listening(client, "/consultations/com-2013-292")
    assert response.status_code == 502
    assert "Roundtable is unavailable for a moment" in response.text and 'lang="ar"' in response.text
    assert response.headers["server"] == "nginx" and "nginx/" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"


async def test_a_form_sent_through_nginx_on_another_port_passes_the_same_origin_check(cached_site: LiveServer) -> None:
    """nginx passes $http_host, port included: the app compares the browser's Origin
    (http://127.0.0.1:<nginx's port>) with it. With $host the port was dropped, and every
    form sent through nginx on a port other than 443 was refused as cross-site (issue 14)."""
    async with person(cached_site) as reader:
        fields = guard_fields(await reader.get("/sign-in"))
        data = {**fields, "email": "nobody@example.org", "password": "not the password"}
        response = await reader.post("/sign-in", data=data, headers={"Origin": cached_site.base_url})
    assert response.status_code == 422, response.text[:300]  # a wrong password, not a forged form (403)
