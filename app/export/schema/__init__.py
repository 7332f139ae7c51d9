"""The JSON Schema of the JSON export, published by the site (GET /schema/consolidated-input.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).parent / "consolidated-input.schema.json"


@cache
def _stored() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def export_schema(schema_url: str) -> dict[str, Any]:
    """The schema, its `$id` the address it is published at (the file holds the path only:
    the site's address is the deployment's)."""
    schema: dict[str, Any] = json.loads(_stored())
    schema["$id"] = schema_url
    return schema
