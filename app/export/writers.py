"""What every format does to text before writing it: control characters out, and cells a
spreadsheet would run as a formula kept as text."""

from __future__ import annotations

from typing import Any

from app.text.safe import clean_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
