"""What every format does to text before writing it: control characters out, and cells a
spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import re
from typing import Any

from app.text.safe import clean_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Any character clean_text takes out or changes (a carriage return too): most texts have
#: none, so a format looks for one in a whole batch before cleaning text by text.
UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The same but the carriage return, for text where one ends every line (a CSV file's rows).
UNCLEAN_BUT_RETURN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The same, as json.dumps(ensure_ascii=False) writes them: the C0 controls escaped (\b, \f,
#: \r, \u00XX; tab and newline are kept, as \t and \n), the rest as they are. An escaped
#: backslash before "u00" matches too: a false alarm costs a second look, never a miss.
#: It opens with one set of characters, which the regular expression engine skips ahead to
#: (an alternation of the three searched a file four times slower): a backslash matches when
#: an escape follows it, any other character of the set by itself.
UNCLEAN_IN_JSON = re.compile(r"[\\\x7f-\x9f\ud800-\udfff\ufffe\uffff](?:(?<=\\)(?:u00[01][0-9a-fA-F]|[bfr])|(?<!\\))")


def without_control_characters(value: Any) -> Any:
    """The value with control characters taken out of every text, as input is cleaned
    (app.text.safe): text stored before that may still hold some."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: without_control_characters(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_control_characters(item) for item in value]
    return value


def neutralise_formula(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @; a leading apostrophe keeps them text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
