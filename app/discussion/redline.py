"""A word-level redline: the key message's wording against the wording an amendment proposes.

Words, runs of spaces and single punctuation marks are compared as separate tokens (with the
standard library's difflib), so a changed comma shows as a changed comma, not a changed word.
Each change is marked with <del>/<ins> (struck through and underlined, not colour alone) and
starts with words a screen reader reads out, since most do not announce <del>/<ins> at all."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from functools import lru_cache

from markupsafe import Markup, escape

from app.i18n import _, current_locale
from app.text.footnotes import strip_footnote_markers

#: A word (letters with their diacritics, digits), a run of white space, or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
#: The same cut, each token with the white space after it: texts are lined up by these first,
#: so spaces, the commonest token by far, are not matched with every other space.
_UNIT = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
#: How much comparing one pair of texts may cost, in steps of difflib's inner loop (about
#: 0.2 µs each): enough for any real edit of the longest contribution, while repetitive
#: texts made to be expensive (difflib slows down faster than the square of their length)
#: stop there. Whatever is left to compare then shows as changed whole, which is still true.
DIFF_BUDGET = 500_000
#: The redline is drawn while a page renders, on the event loop: a smaller budget, still more
#: than any of 180 amendments made from the seed's key messages needed (up to 5,000 characters).
REDLINE_BUDGET = 20_000
#: Below this share of unchanged letters the wording is a rewrite, shown as the old text
#: deleted and the new one inserted rather than as a scatter of words that happen to match.
REWRITE_BELOW = 0.3
#: The spoken words sit inside the element, so they are read with it, and out of sight; they
#: are in the reader's language ({3}) inside text in the key message's.
_DELETED = Markup(
    '<del><span class="visually-hidden" lang="{3}">{0} </span>{1}'
    '<span class="visually-hidden" lang="{3}"> ({2})</span></del>'
)
_INSERTED = Markup(
    '<ins><span class="visually-hidden" lang="{3}">{0} </span>{1}'
    '<span class="visually-hidden" lang="{3}"> ({2})</span></ins>'
)


def tokens(text: str) -> list[str]:
    """The text cut into tokens that join back into exactly the text."""
    return _TOKEN.findall(text)


def comparable(text: str) -> str:
    """Text as it is compared: composed characters (a decomposed "ë" is one letter too) and
    single spaces, the way app.discussion.amendments stores proposed wording."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True, slots=True)
class Chunk:
    """A stretch of the redline: unchanged text, or what was deleted and what was inserted."""

    deleted: str
    inserted: str
    changed: bool


def word_chunks(original: str, proposed: str, budget: int = DIFF_BUDGET) -> list[Chunk]:
    """The differences between two texts token by token, unmerged: each unchanged stretch,
    and what each changed stretch deleted and inserted (the texts are taken as they are).
    Words with their trailing space are lined up first, then each changed stretch token by
    token; `budget` bounds the work of both (see DIFF_BUDGET)."""
    work = _Work(budget)
    found: list[Chunk] = []
    old_units, new_units = _UNIT.findall(original), _UNIT.findall(proposed)
    for changed, deleted, inserted in _compared(old_units, new_units, work):
        if not changed:
            found.append(Chunk("".join(deleted), "".join(inserted), changed=False))
            continue
        old, new = tokens("".join(deleted)), tokens("".join(inserted))
        found += (Chunk("".join(d), "".join(i), changed=c) for c, d, i in _compared(old, new, work))
    return _joined(found)


class _Work:
    """What is left of a comparison's budget."""

    def __init__(self, steps: int) -> None:
        self.left = steps


class _BoundedMatcher(SequenceMatcher[str]):
    """difflib's matcher, which may look for a common stretch only while the budget lasts:
    once it is spent, the range still to compare has none (so it counts as changed)."""

    #: difflib's index of b, each token's places in order (whole: no junk, no autojunk).
    b2j: dict[str, list[int]]

    def __init__(self, a: Sequence[str], b: Sequence[str], work: _Work) -> None:
        super().__init__(None, a, b, autojunk=False)
        self.old, self.new, self.work = a, b, work

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None) -> Match:
        ahi = len(self.old) if ahi is None else ahi
        bhi = len(self.new) if bhi is None else bhi
        # difflib's inner loop visits, for each token of a[alo:ahi], its places in b up to bhi.
        steps = (ahi - alo) + sum(bisect_left(self.b2j.get(token, ()), bhi) for token in self.old[alo:ahi])
        if steps > self.work.left:
            self.work.left = 0
            return Match(alo, blo, 0)
        self.work.left -= steps
        return super().find_longest_match(alo, ahi, blo, bhi)


def _compared(old: list[str], new: list[str], work: _Work) -> Iterator[tuple[bool, list[str], list[str]]]:
    """(changed, old stretch, new stretch) in order; the common start and end are taken off
    first, which is most of an edit and costs nothing to find."""
    start = _common_length(old, new)
    end = _common_length(reversed(old[start:]), reversed(new[start:]))
    if start:
        yield False, old[:start], new[:start]
    middle_old, middle_new = old[start : len(old) - end], new[start : len(new) - end]
    if middle_old or middle_new:
        matcher = _BoundedMatcher(middle_old, middle_new, work)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            yield tag != "equal", middle_old[i1:i2], middle_new[j1:j2]
    if end:
        yield False, old[len(old) - end :], new[len(new) - end :]


def _common_length(old: Iterable[str], new: Iterable[str]) -> int:
    """How many tokens the two start with in common."""
    length = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        length += 1
    return length


def _joined(found: list[Chunk]) -> list[Chunk]:
    """Neighbouring chunks of one kind made one, so unchanged and changed stretches alternate."""
    joined: list[Chunk] = []
    for chunk in found:
        if joined and joined[-1].changed == chunk.changed:
            last = joined.pop()
            chunk = Chunk(last.deleted + chunk.deleted, last.inserted + chunk.inserted, chunk.changed)
        joined.append(chunk)
    return joined


def chunks(original: str, proposed: str, budget: int = DIFF_BUDGET) -> list[Chunk]:
    """The differences between two texts, with neighbouring changes separated only by a space
    merged into one ("quick brown" → "slow red" rather than word by word)."""
    found = word_chunks(original, proposed, budget)
    if _letters(*(c.deleted for c in found if not c.changed)) < REWRITE_BELOW * max(
        _letters(original), _letters(proposed)
    ):
        return [Chunk(original, proposed, changed=True)]
    return _merged(found)


def _letters(*texts: str) -> int:
    return sum(len("".join(text.split())) for text in texts)  # split() cuts where isspace() is true


def _merged(found: list[Chunk]) -> list[Chunk]:
    merged: list[Chunk] = []
    for index, chunk in enumerate(found):
        later = found[index + 1] if index + 1 < len(found) else None
        only_space_between = not chunk.changed and chunk.deleted.isspace() and later is not None and later.changed
        if merged and merged[-1].changed and (chunk.changed or only_space_between):
            last = merged.pop()
            chunk = Chunk(last.deleted + chunk.deleted, last.inserted + chunk.inserted, changed=True)
        merged.append(chunk)
    return merged


def redline(original: str, proposed: str) -> Markup:
    """Escaped HTML of `proposed` compared with `original` (a key message text; its footnote
    markers are left out, since proposed wording never carries them)."""
    return _redline_in(current_locale.get(), original, proposed)


@lru_cache(maxsize=2048)
def _redline_in(locale: str, original: str, proposed: str) -> Markup:
    """Diffing is most of the time a discussion takes to render, and the same amendment is
    shown in its item and among the amendments side by side: remember recent ones (the
    locale is part of the key, for the announced words)."""
    parts = []
    for chunk in chunks(comparable(strip_footnote_markers(original)), comparable(proposed), REDLINE_BUDGET):
        if chunk.changed:
            parts.append(_change(chunk, locale))
        else:
            parts.append(escape(chunk.deleted))
    return Markup("").join(parts)


def _change(chunk: Chunk, locale: str) -> Markup:
    """The deletion, then the insertion. Space at either end stays outside the marks (and
    space alone is not announced), so only words are struck through or underlined."""
    deleted, inserted = chunk.deleted.strip(), chunk.inserted.strip()
    spaced = chunk.inserted or chunk.deleted
    if spaced.isspace():  # a space took the place of the deleted text ("foo-bar" → "foo bar")
        before, after = "", spaced
    else:
        before, after = spaced[: len(spaced) - len(spaced.lstrip())], spaced[len(spaced.rstrip()) :]
    html = [escape(before)]
    if deleted:
        html.append(_DELETED.format(_("deleted:"), deleted, _("end of deletion"), locale))
    if inserted:
        html.append(_INSERTED.format(_("inserted:"), inserted, _("end of insertion"), locale))
    html.append(escape(after))
    return Markup("").join(html)
