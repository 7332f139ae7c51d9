"""UN M49 geographic regions of ISO 3166-1 countries, from the table in data/un-m49.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

M49_FILE = Path(__file__).parent / "data" / "un-m49.csv"


@dataclass(frozen=True)
class M49Region:
    region: str  #: M49 code of the region, e.g. "002" (Africa)
    area: str  #: M49 code of the sub-region or intermediate region, e.g. "011" (Western Africa)


@cache
def m49_table() -> dict[str, M49Region]:
    with M49_FILE.open(encoding="utf-8", newline="") as file:
        return {row["alpha_2"]: M49Region(row["region"], row["area"]) for row in csv.DictReader(file)}


def m49_region(country: str) -> M49Region | None:
    """The region of an ISO 3166-1 alpha-2 code; None for a code the table does not know."""
    return m49_table().get(country)
