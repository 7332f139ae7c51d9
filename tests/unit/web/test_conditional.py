"""Validators: what makes two answers the same page, and when a client's copy is current."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from starlette.requests import Request

from app.db import utcnow
from app.web.conditional import SETTLED, Validators, entity_tag, last_modified

MONDAY = datetime(2026, 11, 30, 9, 30, 15, tzinfo=UTC)


def _request(*, query: bytes = b"", token: str = "t1", **headers: str) -> Request:  # noqa: S107 - a test token
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/p",
        "query_string": query,
        "headers": raw,
        "state": {"csrf_token": token},
    }
    return Request(scope)


def _http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)


def test_the_same_parts_at_the_same_address_make_the_same_tag() -> None:
    assert entity_tag(_request(), "page", 1) == entity_tag(_request(), "page", 1)
    assert entity_tag(_request(), "page", 1) != entity_tag(_request(), "page", 2)
    assert entity_tag(_request(), "page", 1) != entity_tag(_request(query=b"sort=endorsed"), "page", 1)


def test_the_tag_says_nothing_of_the_browser_that_asked() -> None:
    # A shared cache gives the same copy to every reader: the tag must be the same for all.
    assert entity_tag(_request(token="a" * 43), "page", 1) == entity_tag(_request(token="b" * 43), "page", 1)


def test_if_none_match_is_compared_as_a_list() -> None:
    validators = Validators(entity_tag(_request(), "page", 1), MONDAY)
    assert validators.match(_request(if_none_match=f'W/"x", {validators.etag}'))
    assert validators.match(_request(if_none_match="*"))
    assert not validators.match(_request(if_none_match='W/"x"'))
    assert not validators.match(_request())


def test_if_none_match_wins_over_if_modified_since() -> None:
    # RFC 9110 13.2.2: with If-None-Match sent, If-Modified-Since is not looked at.
    validators = Validators('W/"now"', MONDAY)
    later = _http_date(MONDAY + timedelta(hours=1))
    assert not validators.match(_request(if_none_match='W/"before"', if_modified_since=later))
    assert validators.match(_request(if_none_match='W/"now"', if_modified_since=_http_date(MONDAY - timedelta(days=1))))


def test_if_modified_since_at_or_after_the_last_change_is_current() -> None:
    validators = Validators('W/"now"', MONDAY)
    assert validators.match(_request(if_modified_since=_http_date(MONDAY)))
    assert validators.match(_request(if_modified_since=_http_date(MONDAY + timedelta(seconds=1))))
    assert not validators.match(_request(if_modified_since=_http_date(MONDAY - timedelta(seconds=1))))


@pytest.mark.parametrize(
    "since",
    [
        "",
        "yesterday",
        "Mon, 99 Nov 2026 09:30:15 GMT",
        "Mon, 30 Nov 2026",
        "\x7f",
        "Fri, 01 Jan 2100 00:00:00 GMT",  # later than now: no Last-Modified of ours can be
    ],
)
def test_an_unreadable_or_future_date_is_ignored(since: str) -> None:
    assert not Validators('W/"now"', MONDAY).match(_request(if_modified_since=since))


def test_without_a_last_modified_only_the_tag_can_match() -> None:
    validators = Validators('W/"now"', None)
    assert not validators.match(_request(if_modified_since=_http_date(utcnow())))
    assert "Last-Modified" not in validators.headers()


def test_the_last_change_in_whole_seconds_once_it_has_settled() -> None:
    now = MONDAY + timedelta(minutes=5)
    changes = [MONDAY.replace(microsecond=900_000), None, MONDAY - timedelta(days=3)]
    assert last_modified(changes, now=now) == MONDAY
    # A change that recent could be followed by another within the same second.
    assert last_modified([*changes, now - SETTLED / 2], now=now) is None
    assert last_modified([None], now=now) is None


def test_naive_times_are_read_as_utc() -> None:
    naive = MONDAY.replace(tzinfo=None)
    assert last_modified([naive], now=MONDAY + timedelta(minutes=1)) == MONDAY
    assert Validators('W/"x"', MONDAY).headers()["Last-Modified"] == "Mon, 30 Nov 2026 09:30:15 GMT"
