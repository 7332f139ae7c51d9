"""Locale-aware formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from babel.dates import format_datetime

from app.i18n import current_locale, format_datetime_utc


@pytest.mark.parametrize("locale", ["en", "nl", "ar", "zh", "fr", "es", "ru"])
@pytest.mark.parametrize(
    "value",
    [datetime(2013, 10, 3, 9, 5, 7, tzinfo=UTC), datetime(2026, 1, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5)))],
)
def test_matches_babel_medium_format_in_utc(locale, value):
    token = current_locale.set(locale)
    try:
        assert format_datetime_utc(value) == format_datetime(value, "medium", tzinfo=UTC, locale=locale) + " UTC"
    finally:
        current_locale.reset(token)


def test_naive_values_are_taken_as_utc():
    assert format_datetime_utc(datetime(2013, 10, 3, 9, 5)) == "Oct 3, 2013, 9:05:00\u202fAM UTC"
