"""Writers turn a built export into the bytes of a file format."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from app.export.builders import CSV_COLUMNS, csv_rows

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def to_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")


def neutralise_formula(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @; a leading apostrophe keeps them text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(export: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(export):
        writer.writerow(["" if value is None else neutralise_formula(value) for value in row])
    # The byte-order mark makes Excel read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


WRITERS = {
    "json": (to_json, "application/json"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
}
