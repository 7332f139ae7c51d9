"""How moderators name a contribution (a duplicate's original, a merge's target): by number
or by the address of its page; anything else names none, and no number overflows an id."""

from __future__ import annotations

import pytest

from app.moderation.services import contribution_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("42", 42),
        (" #c42 ", 42),
        ("c42", 42),
        ("/contributions/42", 42),
        ("https://example.org/contributions/42#c43", 42),
        ("999999999", 999_999_999),
    ],
)
def test_a_number_or_an_address_names_a_contribution(typed, number):
    assert contribution_number(typed) == number


@pytest.mark.parametrize("typed", ["", "x", "-1", "4 2", "1234567890", "/contributions/", "42\x00"])
def test_anything_else_names_none(typed):
    assert contribution_number(typed) is None
