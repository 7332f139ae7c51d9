"""Plain text from the HTML a contribution is stored with (app.text.markdown renders it once,
from a small allow-list of tags), for files read outside a browser: a spreadsheet's cell
shows Markdown's asterisks and HTML's tags as noise.

Paragraphs are separated by a blank line, list items start with "- " or their number, quoted
passages with "> ", and a link keeps its address in brackets after its words. Reading the
stored HTML rather than parsing the Markdown again costs a regular expression's pass (a
few microseconds for a paragraph): exports turn every body of a consultation into text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

#: A tag (closing or not, its name and attributes) or the text between tags.
_PIECE = re.compile(r"<(/?)([a-z0-9]+)([^>]*)>|([^<]+)")
_HREF = re.compile(r'href="([^"]*)"')
_BLOCKS = frozenset({"p", "li", "blockquote", "pre", "ul", "ol", "hr"})
#: One paragraph without markup: the commonest body by far, taken apart without the parser.
_SIMPLE = re.compile(r"<p>([^<]*)</p>\s*")
#: Paragraphs without markup, the next commonest: likewise.
_PARAGRAPHS = re.compile(r"(?:<p>[^<]*</p>\s*)+")


@dataclass
class _Text:
    blocks: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    lists: list[list[int]] = field(default_factory=list)  #: per open list: [ordered, number]
    item_started: bool = False  #: the current list item's first block is still to come
    quotes: int = 0
    in_pre: bool = False
    link: tuple[int, str] | None = None  #: where the link's words started, and its address
    last_in_list: bool = False  #: the block before was a list's: items follow on the next line

    def flush(self) -> None:
        text = "".join(self.current).strip("\n")
        self.current = []
        if not text.strip():
            return
        marker, indent = "", "  " * max(0, len(self.lists) - 1)
        if self.lists and self.item_started:
            ordered, number = self.lists[-1]
            marker = f"{number}. " if ordered else "- "
            self.item_started = False
        elif self.lists:
            indent += "  "
        quote = "> " * self.quotes
        lines = text.split("\n")
        first = quote + indent + marker + lines[0]
        rest = [quote + indent + " " * len(marker) + line for line in lines[1:]]
        separator = "\n" if self.lists and self.last_in_list else "\n\n"
        self.blocks.append((separator if self.blocks else "") + "\n".join([first, *rest]))
        self.last_in_list = bool(self.lists)

    def open_tag(self, tag: str, attributes: str) -> None:
        if tag in _BLOCKS:
            self.flush()
        if tag in ("ul", "ol"):
            self.lists.append([int(tag == "ol"), 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            self.item_started = True
        elif tag == "blockquote":
            self.quotes += 1
        elif tag == "pre":
            self.in_pre = True
        elif tag == "hr":
            self.current.append("---")
            self.flush()
        elif tag == "br":
            self.current.append("\n")
        elif tag == "a":
            found = _HREF.search(attributes)
            self.link = (len(self.current), unescape(found.group(1)) if found else "")

    def close_tag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote":
            self.quotes = max(0, self.quotes - 1)
        elif tag == "pre":
            self.in_pre = False
        elif tag == "a" and self.link is not None:
            start, href = self.link
            words = "".join(self.current[start:])
            if href and href != words and href != f"mailto:{words}":
                self.current.append(f" ({href})")
            self.link = None

    def text(self, piece: str) -> None:
        if not self.in_pre and not self.current and piece.isspace():
            return  # the line breaks between blocks
        self.current.append(unescape(piece))


def html_to_text(html: str) -> str:
    """The text of sanitised HTML (app.text.markdown's tags), as plain text."""
    simple = _SIMPLE.fullmatch(html)
    if simple:
        return unescape(simple.group(1)).strip("\n")
    if _PARAGRAPHS.fullmatch(html):
        return _paragraphs(html)
    reading = _Text()
    for closing, tag, attributes, piece in _PIECE.findall(html):
        if not tag:
            reading.text(piece)
        elif closing:
            reading.close_tag(tag)
        else:
            reading.open_tag(tag, attributes)
    reading.flush()
    return "".join(reading.blocks)


def _paragraphs(html: str) -> str:
    """What the parser makes of paragraphs alone: their texts between blank lines, a paragraph
    of white space left out."""
    texts = (unescape(text).strip("\n") for text in _SIMPLE.findall(html))
    return "\n\n".join(text for text in texts if text.strip())
