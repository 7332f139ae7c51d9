"""Reading a Range header (RFC 9110 section 14) against a file's size: one range is served,
anything else is the whole file, a range past the end is 416; If-Range holds only for our
strong tag. Hostile and absurd headers included, and properties over any header at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web.ranges import UNSATISFIABLE, ByteRange, if_range_holds, parse_range

SIZE = 1000
TAG = '"3f2a"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-499", (0, 499)),
        ("bytes=500-999", (500, 999)),
        ("bytes=500-", (500, 999)),
        ("bytes=-200", (800, 999)),
        ("bytes=999-999", (999, 999)),  # the last byte
        ("bytes=0-0", (0, 0)),
        ("bytes=900-5000", (900, 999)),  # past the end: up to the end
        ("bytes=-5000", (0, 999)),  # a suffix longer than the file: all of it
        ("BYTES=1-2", (1, 2)),  # the unit is case-insensitive
        ("  bytes=1-2  ", (1, 2)),
        ("bytes=007-0010", (7, 10)),
        ("bytes=10-" + "9" * 5000, (10, 999)),  # an absurd end is the end
        ("bytes=-" + "9" * 5000, (0, 999)),
        ("bytes=" + "0" * 5000 + "1-2", (1, 2)),
    ],
)
def test_one_range_is_served(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, SIZE) == ByteRange(*expected, SIZE)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=5-2",  # backwards: invalid, so ignored
        "bytes=0-1,5-6",  # several ranges: served whole, which the RFC allows
        "bytes=0-1, 5-6",
        "items=0-1",
        "bytes 0-1",
        "bytes=0 -1",
        "bytes= 0-1",
        "bytes=0-1-2",
        "bytes=-1-2",
        "bytes=a-b",
        "bytes=0x10-20",
        "bytes=-0x10",
        "bytes=+1-2",
        "bytes=--1",
        "bytes=1.5-2",
        "bytes=1e3-",
        "bytes=\x00-1",
        "bytes=0-1\r\nX-Injected: 1",
        "bytes=0-1\x7f",
        "bytes=١-٢",  # Arabic-Indic digits are digits to Python, not to HTTP
        "bytes=０-１",  # fullwidth digits
        "bytes=0-1;",
        "bytes=0-1=",
    ],
)
def test_anything_else_is_the_whole_file(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=1000-", SIZE),
        ("bytes=1000-2000", SIZE),
        ("bytes=" + "9" * 5000 + "-", SIZE),
        ("bytes=-0", SIZE),  # a suffix of nothing
        ("bytes=0-", 0),  # an empty file has no byte to send
        ("bytes=-1", 0),
        ("bytes=0-0", 0),
    ],
)
def test_a_range_past_the_end_is_unsatisfiable(header: str, size: int) -> None:
    assert parse_range(header, size) is UNSATISFIABLE


def test_a_byte_range_says_its_length_and_content_range() -> None:
    part = ByteRange(800, 999, SIZE)
    assert part.length == 200 and part.content_range() == "bytes 800-999/1000"


@pytest.mark.parametrize(
    ("if_range", "holds"),
    [
        (None, True),
        (TAG, True),
        (f" {TAG} ", True),
        ('"other"', False),
        (f"W/{TAG}", False),  # a weak tag never matches in If-Range (strong comparison)
        ("Tue, 08 Dec 2026 01:00:00 GMT", False),  # a date: these files send no Last-Modified
        ("", False),
        ("*", False),
    ],
)
def test_if_range_holds_only_for_our_strong_tag(if_range: str | None, holds: bool) -> None:
    assert if_range_holds(if_range, TAG) is holds


def test_a_weak_tag_of_ours_never_allows_a_range() -> None:
    assert not if_range_holds("W/" + TAG, "W/" + TAG)


sizes = st.integers(min_value=0, max_value=10**12)


@given(header=st.text(max_size=60), size=sizes)
def test_any_header_gives_a_slice_within_the_file_or_none_or_416(header: str, size: int) -> None:
    found = parse_range(header, size)
    if isinstance(found, ByteRange):
        assert 0 <= found.start <= found.end < size and found.size == size
        assert found.length == found.end - found.start + 1 >= 1


@given(header=st.from_regex(r"\Abytes=[0-9]{0,25}-[0-9]{0,25}\Z"), size=sizes)
def test_well_formed_ranges_give_a_slice_within_the_file(header: str, size: int) -> None:
    found = parse_range(header, size)
    if isinstance(found, ByteRange):
        assert 0 <= found.start <= found.end < size and found.length == found.end - found.start + 1


@given(data=st.binary(min_size=0, max_size=300), first=st.integers(0, 400), last=st.integers(0, 400))
def test_a_range_selects_what_python_slicing_selects(data: bytes, first: int, last: int) -> None:
    """bytes=first-last is data[first:last + 1]; bytes=-n is data[-n:]; bytes=first- is data[first:]."""
    expectations = {
        f"bytes={first}-{last}": data[first : last + 1] if first <= last else None,
        f"bytes=-{last}": data[-last:] if last else b"",
        f"bytes={first}-": data[first:],
    }
    for header, expected in expectations.items():
        found = parse_range(header, len(data))
        if expected is None:
            assert found is None
        elif expected == b"":
            assert found is UNSATISFIABLE
        else:
            assert isinstance(found, ByteRange) and data[found.start : found.end + 1] == expected
