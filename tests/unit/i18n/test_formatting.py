"""Locale-aware formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from babel.dates import format_datetime

from app.i18n import BRUSSELS, current_locale, format_datetime_brussels, format_number


@pytest.mark.parametrize("locale", ["en", "nl", "ar", "zh", "fr", "es", "ru"])
@pytest.mark.parametrize(
    "value",
    [datetime(2013, 10, 3, 9, 5, 7, tzinfo=UTC), datetime(2026, 1, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5)))],
)
def test_matches_babel_medium_format_in_brussels_with_the_offset(locale, value):
    token = current_locale.set(locale)
    try:
        offset = "(UTC+02:00)" if value.month == 10 else "(UTC+01:00)"  # summer time, winter time
        expected = format_datetime(value, "medium", tzinfo=BRUSSELS, locale=locale) + " " + offset
        assert format_datetime_brussels(value) == expected
    finally:
        current_locale.reset(token)


def test_naive_values_are_taken_as_utc():
    assert format_datetime_brussels(datetime(2013, 10, 3, 9, 5)) == "Oct 3, 2013, 11:05:00\u202fAM (UTC+02:00)"


def test_the_same_instant_reads_in_each_language():
    instant = datetime(2013, 10, 3, 9, 5, tzinfo=UTC)
    token = current_locale.set("fr")
    try:
        assert format_datetime_brussels(instant) == "3 oct. 2013, 11:05:00 (UTC+02:00)"
    finally:
        current_locale.reset(token)


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "12,345"), ("fr", "12\u202f345"), ("nl", "12.345"), ("ru", "12\xa0345")]
)
def test_counts_are_written_as_the_readers_language_writes_them(locale, expected):
    token = current_locale.set(locale)
    try:
        assert format_number(12345) == expected
    finally:
        current_locale.reset(token)
