"""A translator's helper for app/locale/<locale>/LC_MESSAGES/messages.po.

  python tools/translations.py todo fr [N]       the next N untranslated messages as JSON
  python tools/translations.py fill fr FILE.json  write translations from FILE.json
  python tools/translations.py dump fr            every translated message as JSON (review)

FILE.json maps each English msgid (for a message with a context, "context\u0004msgid", as
`todo` shows it) to its translation; for a message with plural forms, to a
list with as many forms as the catalogue's Plural-Forms header says (todo shows the count).
Filling clears the fuzzy flag of the messages it writes. `python -m app.locale_check fr` then
lists what is still wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "app" / "locale"


def _path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def _read(locale: str):  # type: ignore[no-untyped-def]
    with _path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(locale: str, catalogue) -> None:  # type: ignore[no-untyped-def]
    with _path(locale).open("wb") as handle:
        write_po(handle, catalogue, omit_header=False, sort_output=True, include_lineno=False)


def _key(message) -> str:  # type: ignore[no-untyped-def]
    """How a message is named in the JSON: plural messages by their singular, a message with
    a context as gettext stores it."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\u0004{msgid}" if message.context else msgid


def todo(locale: str, limit: int) -> None:
    catalogue = _read(locale)
    wanted = {}
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            key = _key(message)
            if isinstance(message.id, tuple):
                wanted[key] = {"plural": message.id[1], "forms": catalogue.num_plurals}
            else:
                wanted[key] = ""
            if len(wanted) >= limit:
                break
    json.dump(wanted, sys.stdout, ensure_ascii=False, indent=1)
    print()


def fill(locale: str, source: Path) -> None:
    catalogue = _read(locale)
    translations = json.loads(source.read_text(encoding="utf-8"))
    unknown = []
    by_key = {_key(m): m for m in catalogue if m.id}
    for msgid, string in translations.items():
        message = by_key.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        if isinstance(message.id, tuple):
            if not isinstance(string, list) or len(string) != catalogue.num_plurals:
                sys.exit(f"{msgid!r} needs a list of {catalogue.num_plurals} forms")
            message.string = tuple(string)
        else:
            if not isinstance(string, str):
                sys.exit(f"{msgid!r} needs a string")
            message.string = string
        message.flags.discard("fuzzy")
    _write(locale, catalogue)
    print(f"wrote {len(translations) - len(unknown)} translation(s)")
    for msgid in unknown:
        print(f"not in the catalogue: {msgid!r}")


def dump(locale: str) -> None:
    catalogue = _read(locale)
    done = {}
    for message in catalogue:
        if message.id and message.string:
            done[_key(message)] = list(message.string) if isinstance(message.string, tuple) else message.string
    json.dump(done, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    command, locale, *rest = sys.argv[1:]
    if command == "todo":
        todo(locale, int(rest[0]) if rest else 100)
    elif command == "fill":
        fill(locale, Path(rest[0]))
    elif command == "dump":
        dump(locale)
    else:
        sys.exit(__doc__)
