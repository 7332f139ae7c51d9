"""The phase-instants migration keeps each consultation's phase: dates become Brussels
instants, "open" stays open, "closed" stays closed, and the downgrade gives dates back."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from app.consultation.phases import Phase, phase_at
from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url

BEFORE, AFTER = "c4d2a7e9f103", "d5e3b8f0a204"
FUTURE = date.today() + timedelta(days=400)
ROWS = {  # slug: (status, opens_at, closes_at)
    "seed-like": ("open", date(2013, 6, 21), date(2013, 9, 30)),
    "open-ahead": ("open", date(2013, 6, 21), FUTURE),
    "closed-dated": ("closed", date(2013, 6, 21), date(2013, 9, 30)),
    "closed-undated": ("closed", None, None),
    "closed-early": ("closed", None, FUTURE),
    "draft": ("draft", date(2026, 3, 1), date(2026, 6, 30)),
}


def alembic(url: str, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": url, "SECRET_KEY": "migrations-test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


async def execute(url: str, sql: str, params: list[dict[str, object]] | None = None) -> list[tuple[object, ...]]:
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        result = await connection.execute(text(sql), params or [{}])
        rows = [tuple(row) for row in result] if result.returns_rows else []
    await engine.dispose()
    return rows


def utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite, read without the column's type
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def test_dates_become_brussels_instants_and_each_phase_is_kept(database_url, tmp_path):
    url = await fresh_database_url(database_url, "phases_migration", tmp_path)
    alembic(url, "upgrade", BEFORE)
    await execute(
        url,
        "INSERT INTO consultations (slug, title, summary, source_reference, language, status, opens_at, closes_at,"
        " positions, amendment_positions, created_at, updated_at) VALUES (:slug, :slug, '', 'X', 'en', :status,"
        " :opens, :closes, '[]', '[]', :now, :now)",
        [
            {"slug": slug, "status": status, "opens": opens, "closes": closes, "now": datetime.now(UTC)}
            for slug, (status, opens, closes) in ROWS.items()
        ],
    )
    started = datetime.now(UTC)
    alembic(url, "upgrade", AFTER)
    rows = await execute(url, "SELECT slug, status, opens_at, closes_at FROM consultations")
    after = {slug: (status, utc(opens), utc(closes)) for slug, status, opens, closes in rows}
    now = datetime.now(UTC)

    # The seed as it was: open, its 2013 dates only shown. It stays open; the past opening stays.
    assert after["seed-like"] == ("published", datetime(2013, 6, 20, 22, 0, tzinfo=UTC), None)
    # 30 September 2013 ends at 24:00 CEST = 22:00 UTC; 1 March 2026 starts at 00:00 CET = 23:00 UTC.
    assert after["closed-dated"] == (
        "published",
        datetime(2013, 6, 20, 22, 0, tzinfo=UTC),
        datetime(2013, 9, 30, 22, 0, tzinfo=UTC),
    )
    assert after["draft"] == (
        "draft",
        datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
    )
    for slug, (status, *_dates) in ROWS.items():
        if status != "draft":
            expected = Phase.OPEN if status == "open" else Phase.CLOSED
            assert phase_at(after[slug][1], after[slug][2], now) is expected, slug
    assert started <= after["closed-undated"][2] <= now  # closed from the migration on
    assert after["open-ahead"][2] is not None and after["open-ahead"][2].date() == FUTURE

    alembic(url, "downgrade", BEFORE)
    rows = await execute(url, "SELECT slug, status, opens_at, closes_at FROM consultations")
    back = {slug: (status, opens, closes) for slug, status, opens, closes in rows}
    as_date = {
        slug: (s, o and date.fromisoformat(str(o)), c and date.fromisoformat(str(c)))
        for slug, (s, o, c) in back.items()
    }
    assert as_date["closed-dated"] == ("closed", date(2013, 6, 21), date(2013, 9, 30))
    assert as_date["draft"] == ("draft", date(2026, 3, 1), date(2026, 6, 30))
    assert as_date["open-ahead"] == ("open", date(2013, 6, 21), FUTURE)
    assert as_date["seed-like"] == ("open", date(2013, 6, 21), None)
