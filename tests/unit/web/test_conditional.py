"""Entity tags: what makes two answers the same page, and what never gets one."""

from __future__ import annotations

from starlette.requests import Request

from app.web.conditional import entity_tag, still_fresh


def _request(
    *,
    token: str = "t1",  # noqa: S107 - a CSRF token in a test, not a password
    flash: list[object] | None = None,
    query: bytes = b"",
    held: str | None = None,
):
    headers = [] if held is None else [(b"if-none-match", held.encode())]
    state = {"csrf_token": token, "flash_messages": flash or []}
    scope = {"type": "http", "method": "GET", "path": "/p", "query_string": query, "headers": headers, "state": state}
    return Request(scope)


def test_the_same_parts_for_the_same_browser_make_the_same_tag() -> None:
    assert entity_tag(_request(), "page", 1) == entity_tag(_request(), "page", 1)
    assert entity_tag(_request(), "page", 1) != entity_tag(_request(), "page", 2)
    assert entity_tag(_request(), "page", 1) != entity_tag(_request(token="t2"), "page", 1)
    assert entity_tag(_request(), "page", 1) != entity_tag(_request(query=b"sort=endorsed"), "page", 1)


def test_a_page_carrying_a_one_time_message_gets_no_tag() -> None:
    assert entity_tag(_request(flash=[{"category": "info", "message": "Saved."}]), "page", 1) is None


def test_validators_are_compared_as_a_list() -> None:
    tag = entity_tag(_request(), "page", 1)
    assert tag is not None
    assert still_fresh(_request(held=f'W/"x", {tag}'), tag)
    assert still_fresh(_request(held="*"), tag)
    assert not still_fresh(_request(held='W/"x"'), tag)
    assert not still_fresh(_request(), tag)
