"""Numbers and segments from paths, queries and forms: what no column can hold names nothing."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from app.web.numbers import MAX_ID, NO_SUCH_ID, IdConvertor, parse_id, parse_number


@pytest.mark.parametrize("text", ["", "-1", "+1", " 1", "1.0", "1e3", "٣", "0x10", str(MAX_ID + 1), "9" * 5000, None])
def test_anything_but_plain_digits_in_range_is_no_number(text):
    assert parse_number(text) is None


def test_plain_digits_in_range_are_numbers():
    assert parse_number("0") == 0 and parse_number(str(MAX_ID)) == MAX_ID and parse_number("007") == 7
    assert parse_id("0") is None and parse_id("1") == 1


def test_an_id_in_a_path_past_the_columns_range_names_no_row():
    convertor = IdConvertor()
    assert convertor.convert("42") == 42
    assert convertor.convert("9223372036854775808") == NO_SUCH_ID
    with pytest.raises(ValueError):
        convertor.to_string(MAX_ID + 1)


def test_a_path_segment_with_a_control_character_names_nothing():
    route = Route("/consultations/{slug}", lambda request: None)
    assert route.path_regex.match("/consultations/com-2013-292")
    assert not route.path_regex.match("/consultations/com\x00-2013")
