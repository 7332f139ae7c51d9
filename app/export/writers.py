"""Writers turn a built export into the bytes of a file format."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from app.export.builders import CSV_COLUMNS, csv_rows
from app.text.safe import clean_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def without_control_characters(value: Any) -> Any:
    """The export with control characters taken out of every text, as input is cleaned
    (app.text.safe): text stored before that may still hold some."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: without_control_characters(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_control_characters(item) for item in value]
    return value


def to_json(export: dict[str, Any]) -> bytes:
    return json.dumps(without_control_characters(export), ensure_ascii=False, indent=2).encode("utf-8")


def neutralise_formula(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @; a leading apostrophe keeps them text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(export: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(without_control_characters(export)):
        writer.writerow(["" if value is None else neutralise_formula(value) for value in row])
    # The byte-order mark makes Excel read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


WRITERS = {
    "json": (to_json, "application/json"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
}
