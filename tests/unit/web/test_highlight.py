"""Highlighting passages (marker-free offsets) in a text rendered with its footnote links."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from app.text.footnotes import footnoted, strip_footnote_markers
from app.text.highlight import Mark, highlighted, raw_offsets

FN7 = '<sup class="fn-ref"><a href="#fn-7">7</a></sup>'
TEXT = "De agenda moet worden uitgebreid[^7]. Het belang moet worden onderkend."
PLAIN = strip_footnote_markers(TEXT)


def span(passage: str, after: str = "") -> Mark:
    start = PLAIN.index(passage)
    return Mark(start, start + len(passage), Markup(after))  # noqa: S704 - the tests' own markup


def test_without_marks_it_is_the_footnoted_text():
    assert highlighted(TEXT, []) == footnoted(TEXT)


def test_a_passage_without_markers_is_marked_and_followed_by_its_link():
    link = Markup('<a href="/contributions/5">1</a>')

    html = highlighted(TEXT, [span("Het belang", link)])

    assert html == f"De agenda moet worden uitgebreid{FN7}. <mark>Het belang</mark>{link} moet worden onderkend."


def test_a_marker_inside_a_passage_stays_a_footnote_link_inside_the_mark():
    html = highlighted(TEXT, [span("uitgebreid. Het")])

    assert html == f"De agenda moet worden <mark>uitgebreid{FN7}. Het</mark> belang moet worden onderkend."


def test_a_marker_at_the_end_of_a_passage_belongs_to_its_last_word():
    html = highlighted(TEXT, [span("worden uitgebreid", Markup("[link]"))])

    assert html == f"De agenda moet <mark>worden uitgebreid{FN7}</mark>[link]. Het belang moet worden onderkend."


def test_a_marker_at_the_start_of_a_passage_is_left_before_the_mark():
    html = highlighted(TEXT, [span(". Het")])

    assert html == f"De agenda moet worden uitgebreid{FN7}<mark>. Het</mark> belang moet worden onderkend."


def test_markers_at_both_ends_of_the_whole_text():
    text = "[^1]Begin en einde[^2]"

    html = highlighted(text, [Mark(0, len("Begin en einde"))])

    assert html == (
        '<sup class="fn-ref"><a href="#fn-1">1</a></sup><mark>Begin en einde'
        '<sup class="fn-ref"><a href="#fn-2">2</a></sup></mark>'
    )


def test_adjacent_passages_are_two_marks_and_a_marker_between_them_goes_with_the_first():
    first, second = span("uitgebreid", Markup("|1|")), span(". Het", Markup("|2|"))

    html = highlighted(TEXT, [first, second])

    assert html == (
        f"De agenda moet worden <mark>uitgebreid{FN7}</mark>|1|<mark>. Het</mark>|2| belang moet worden onderkend."
    )


def test_text_and_links_are_escaped_but_the_link_markup_is_kept():
    text = "Kosten < 3% & meer[^2] <script>"

    html = highlighted(text, [Mark(7, 15, Markup('<a href="/x">2</a>'))])

    assert html == (
        'Kosten <mark>&lt; 3% &amp; m</mark><a href="/x">2</a>eer<sup class="fn-ref"><a href="#fn-2">2</a></sup> '
        "&lt;script&gt;"
    )
    assert isinstance(html, Markup)


@pytest.mark.parametrize(
    "marks",
    [
        [Mark(5, 10), Mark(8, 12)],  # overlapping: merge them first
        [Mark(8, 12), Mark(0, 3)],  # out of order
        [Mark(3, 3)],  # empty
        [Mark(0, len(PLAIN) + 1)],  # past the end
        [Mark(-1, 2)],
    ],
)
def test_marks_that_cannot_be_placed_are_refused(marks):
    with pytest.raises(ValueError, match="marks must be"):
        highlighted(TEXT, marks)


def test_raw_offsets_skip_the_markers():
    offsets = raw_offsets("ab[^1]c[^22]")

    assert offsets == [0, 1, 6, 12]
    assert "".join("ab[^1]c[^22]"[i] for i in offsets[:-1]) == "abc"
