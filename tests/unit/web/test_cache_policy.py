"""Who may keep a copy: only a reading page with nothing of one browser's in it is shared."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.urls import path_for
from app.web.cache_policy import (
    PERSONAL,
    PRIVATE,
    SHARED,
    SHARED_WHEN_ANONYMOUS,
    CachePolicyMiddleware,
    ResponseFacts,
    cache_control,
)
from app.web.static import IMMUTABLE, SHORT

READING = ResponseFacts(
    method="GET",
    route="key_message",
    status=200,
    signed_in=False,
    htmx=False,
    sets_cookie=False,
    shows_flash=False,
    shows_token=False,
)


def test_a_reading_page_for_someone_not_signed_in_is_shared_for_a_second() -> None:
    assert cache_control(READING) == SHARED == "public, max-age=0, s-maxage=1"
    assert cache_control(replace(READING, method="HEAD", status=304)) == SHARED


@pytest.mark.parametrize(
    "change",
    [
        {"signed_in": True},
        {"htmx": True},
        {"sets_cookie": True},
        {"shows_flash": True},
        {"method": "POST"},
        {"signed_in": True, "chosen": "public, no-cache"},  # a view's choice never outranks this
    ],
)
def test_personal_partial_or_one_time_answers_are_kept_nowhere(change: dict[str, object]) -> None:
    assert cache_control(replace(READING, **change)) == PERSONAL == "private, no-store"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [{"shows_token": True}, {"route": "sign_in"}, {"route": None}, {"status": 404}, {"status": 303}],
)
def test_anything_else_stays_in_the_browser(change: dict[str, object]) -> None:
    assert cache_control(replace(READING, **change)) == PRIVATE == "private, no-cache"  # type: ignore[arg-type]


def test_a_view_that_chose_keeps_its_choice_unless_the_answer_is_personal() -> None:
    assert cache_control(replace(READING, route="attachment", chosen="public, no-cache")) == "public, no-cache"
    assert cache_control(replace(READING, status=404, chosen="no-store")) == "no-store"


def test_only_reading_pages_are_listed(app) -> None:
    routes = {route.name: route for route in app.routes if getattr(route, "name", None)}
    assert SHARED_WHEN_ANONYMOUS <= routes.keys()
    assert all(route.methods == {"GET", "HEAD"} for name, route in routes.items() if name in SHARED_WHEN_ANONYMOUS)


async def test_static_files_keep_their_own_headers(client) -> None:
    """Their lifetime is app.web.static's (by content hash), not this policy's."""
    for path, lifetime in ((path_for("static", path="css/site.css"), IMMUTABLE), ("/static/css/site.css", SHORT)):
        response = await client.get(path)
        assert response.status_code == 200 and "etag" in response.headers
        assert response.headers["cache-control"] == lifetime and "x-accel-expires" not in response.headers


async def test_what_is_not_http_passes_untouched() -> None:
    seen: list[dict[str, object]] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen.append(scope)

    async def nothing() -> dict[str, object]:
        return {}

    async def ignore(message) -> None:  # type: ignore[no-untyped-def]
        pass

    await CachePolicyMiddleware(app)({"type": "lifespan"}, nothing, ignore)
    assert seen == [{"type": "lifespan"}]
