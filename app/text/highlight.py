"""Highlighting passages of a verbatim text whose footnote markers become links.

Passages are given as offsets into the text *without* its footnote markers (how quotes are
stored), while the text is rendered *with* them. A marker belongs to the word before it, so
a marker at the end of a passage is marked with it and one at its start is left outside."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from app.text.footnotes import FOOTNOTE_MARKER, footnoted

MARK_OPEN, MARK_CLOSE = Markup("<mark>"), Markup("</mark>")


@dataclass(frozen=True)
class Mark:
    """Characters [start, end) of the marker-free text, and what follows the mark (a link)."""

    start: int
    end: int
    after: Markup = field(default_factory=Markup)


def highlighted(text: str, marks: Sequence[Mark]) -> Markup:
    """The text as `footnoted` renders it, with each passage in a <mark>. Marks must be in
    order, within the text, non-empty and not overlapping (merge them first)."""
    raw = raw_offsets(text)
    _check(marks, len(raw) - 1)
    html: list[Markup] = []
    done = 0
    for mark in marks:
        # raw[p] is where plain character p sits, after any markers in front of it.
        start, end = raw[mark.start], raw[mark.end]
        html += [footnoted(text[done:start]), MARK_OPEN, footnoted(text[start:end]), MARK_CLOSE, mark.after]
        done = end
    html.append(footnoted(text[done:]))
    return Markup("").join(html)


def raw_offsets(text: str) -> list[int]:
    """For each character of the marker-free text, its index in `text`; then len(text)."""
    offsets: list[int] = []
    done = 0
    for marker in FOOTNOTE_MARKER.finditer(text):
        offsets.extend(range(done, marker.start()))
        done = marker.end()
    offsets.extend(range(done, len(text)))
    offsets.append(len(text))
    return offsets


def _check(marks: Sequence[Mark], length: int) -> None:
    previous_end = 0
    for mark in marks:
        if not previous_end <= mark.start < mark.end <= length:
            raise ValueError(f"marks must be ordered, non-empty and within the text: {marks!r}")
        previous_end = mark.end
