"""What is wrong with a translation catalogue: untranslated or fuzzy messages, placeholders
that differ from the English, missing plural forms.

Used by the test that keeps every interface language complete, and by translators:
`python -m app.locale_check fr` lists what is left to do in app/locale/fr."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE = LOCALE_DIR / "messages.pot"

#: %(name)s and %% as Python's %-formatting reads them; Babel's own check does not compare
#: named placeholders between singular and plural, nor notice a lost %%.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text) + ["%%"] * text.count("%%"))


def _controls(text: str) -> set[str]:
    """Tabs, line breaks and the like: a stray one (a tool's "PL\\t" prefix) shows on pages."""
    return {character for character in text if unicodedata.category(character) == "Cc"}


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, (tuple, list)):
        return tuple(s or "" for s in message.string)
    return (message.string or "",)


def problems(locale: str) -> list[str]:
    """Every problem in app/locale/<locale>, against the extracted template; [] when complete."""
    template = read_catalogue(TEMPLATE)
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return [f"{path} does not exist"]
    catalogue = read_catalogue(path)
    found: list[str] = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalogue.get(wanted.id, context=wanted.context)
        label = repr(_ids(wanted)[0][:70])
        if message is None:
            found.append(f"missing: {label}")
            continue
        strings = _strings(message)
        if message.fuzzy:
            found.append(f"fuzzy: {label}")
        if not all(s.strip() for s in strings):
            found.append(f"untranslated: {label}")
            continue
        if wanted.pluralizable and len(strings) != catalogue.num_plurals:
            found.append(f"needs {catalogue.num_plurals} plural forms: {label}")
        # Every form must keep the English placeholders, except that a plural form may drop
        # %(num)s where the language names the number in words (Arabic's "one", "two").
        if any(_controls(string) - _controls("".join(_ids(wanted))) for string in strings):
            found.append(f"control characters the English does not have: {label}")
        english = _placeholders(_ids(wanted)[-1])
        for string in strings:
            have = _placeholders(string)
            expected = english if not wanted.pluralizable else [p for p in english if p != "num"]
            if [p for p in have if p != "num" or not wanted.pluralizable] != expected:
                found.append(f"placeholders differ ({have} vs {english}): {label}")
                break
    return found


def main(argv: list[str]) -> int:
    locales = argv or sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    status = 0
    for locale in locales:
        found = problems(locale)
        print(f"{locale}: {len(found)} problem(s)")
        for line in found:
            print("  " + line)
        status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # piped into head
        sys.exit(1)
