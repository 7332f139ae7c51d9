"""Rendering of the consultation's verbatim text: footnote markers become links."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

FOOTNOTE_MARKER = re.compile(r"\[\^(\d+)\]")


def strip_footnote_markers(text: str) -> str:
    return FOOTNOTE_MARKER.sub("", text)


def footnote_numbers(text: str) -> list[int]:
    return [int(number) for number in FOOTNOTE_MARKER.findall(text)]


#: A sentence ends with . ! ? or ; before a space, or at the end of the text.
_SENTENCE = re.compile(r"\S.*?(?:[.!?;](?=\s)|$)", re.DOTALL)


def sentences(text: str) -> list[str]:
    """The sentences of a verbatim text without its footnote markers, each exactly as it
    appears there (so a chosen sentence is a quote that can be found again)."""
    return [match.group(0).strip() for match in _SENTENCE.finditer(strip_footnote_markers(text))]


def footnoted(text: str) -> Markup:
    """Escape the text, then turn each [^n] marker into a superscript link to footnote n."""
    parts = FOOTNOTE_MARKER.split(text)
    html = [escape(part) if index % 2 == 0 else _marker(part) for index, part in enumerate(parts)]
    return Markup("").join(html)


def _marker(number: str) -> Markup:
    return Markup('<sup class="fn-ref"><a href="#fn-{0}">{0}</a></sup>').format(escape(number))
