"""A word-level redline: the key message's wording against the wording an amendment proposes.

Words, runs of spaces and single punctuation marks are compared as separate tokens (with the
standard library's difflib), so a changed comma shows as a changed comma, not a changed word.
Each change is marked with <del>/<ins> (struck through and underlined, not colour alone) and
starts with words a screen reader reads out, since most do not announce <del>/<ins> at all."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from markupsafe import Markup, escape

from app.i18n import _, current_locale
from app.text.footnotes import strip_footnote_markers

#: A word (letters with their diacritics, digits), a run of white space, or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
#: Below this share of unchanged letters the wording is a rewrite, shown as the old text
#: deleted and the new one inserted rather than as a scatter of words that happen to match.
REWRITE_BELOW = 0.3
#: The spoken words sit inside the element, so they are read with it, and out of sight.
_DELETED = Markup('<del><span class="visually-hidden">{0} </span>{1}<span class="visually-hidden"> ({2})</span></del>')
_INSERTED = Markup('<ins><span class="visually-hidden">{0} </span>{1}<span class="visually-hidden"> ({2})</span></ins>')


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


def word_chunks(original: str, proposed: str) -> list[Chunk]:
    """The differences between two texts token by token, unmerged: each unchanged stretch,
    and what each changed stretch deleted and inserted (the texts are taken as they are)."""
    old, new = tokens(original), tokens(proposed)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [
        Chunk("".join(old[i1:i2]), "".join(new[j1:j2]), changed=tag != "equal")
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def chunks(original: str, proposed: str) -> list[Chunk]:
    """The differences between two texts, with neighbouring changes separated only by a space
    merged into one ("quick brown" → "slow red" rather than word by word)."""
    found = word_chunks(original, proposed)
    if _letters(*(c.deleted for c in found if not c.changed)) < REWRITE_BELOW * max(
        _letters(original), _letters(proposed)
    ):
        return [Chunk(original, proposed, changed=True)]
    return _merged(found)


def _letters(*texts: str) -> int:
    return sum(len(text) - sum(map(str.isspace, text)) for text in texts)


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
def _redline_in(_locale: str, original: str, proposed: str) -> Markup:
    """Diffing is most of the time a discussion takes to render, and the same amendment is
    shown in its item and among the amendments side by side: remember recent ones (the
    locale is part of the key, for the announced words)."""
    parts = []
    for chunk in chunks(comparable(strip_footnote_markers(original)), comparable(proposed)):
        if chunk.changed:
            parts.append(_change(chunk))
        else:
            parts.append(escape(chunk.deleted))
    return Markup("").join(parts)


def _change(chunk: Chunk) -> Markup:
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
        html.append(_DELETED.format(_("deleted:"), deleted, _("end of deletion")))
    if inserted:
        html.append(_INSERTED.format(_("inserted:"), inserted, _("end of insertion")))
    html.append(escape(after))
    return Markup("").join(html)
