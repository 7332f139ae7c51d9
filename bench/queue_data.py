"""The moderation queue's benchmark data: every contribution of the database reported (one
to three readers each, reasons drawn from the list), so `--waiting` items wait, spread over
the last 30 days, plus as many decided ones before them, on the same contributions.

    python -m bench.queue_data --waiting 10000   # DATABASE_URL etc. from the environment

Reporters are a hundred readers made here; rows go in with multi-row INSERTs (the queue's
own code writes one report at a time, which would take minutes and measure nothing). On
PostgreSQL it then runs VACUUM ANALYZE, as bench.data does."""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, text

from app.accounts.models import User
from app.consultation.models import KeyMessage
from app.db import make_engine, make_sessionmaker, utcnow
from app.discussion.models import Contribution
from app.moderation.models import QueueItem, QueueKind, QueueReason, Report, ReportReason
from app.settings import load_settings

READERS = 100
BATCH = 1_000
#: Reasons as readers give them: mostly spam and off topic, few notices of illegal content.
REASON_WEIGHTS = {
    ReportReason.SPAM: 40,
    ReportReason.OFF_TOPIC: 25,
    ReportReason.ABUSIVE: 15,
    ReportReason.MISLEADING: 10,
    ReportReason.PERSONAL_DATA: 7,
    ReportReason.ILLEGAL: 3,
}


async def generate(waiting: int, seed: int = 11) -> str:
    engine = make_engine(load_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            await fill_queue(db, waiting, seed=seed)
            await db.commit()
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
        return f"{waiting:,} items waiting and {waiting:,} decided, reported by {READERS} readers"
    finally:
        await engine.dispose()


async def fill_queue(db: Any, waiting: int, *, seed: int = 11) -> None:
    """Report the first `waiting` contributions: one item each waiting, one decided before
    (also used by tests/unit/moderation/test_queue_plans.py)."""
    rng = random.Random(seed)
    readers = await _readers(db)
    rows = (
        await db.execute(
            select(Contribution.id, KeyMessage.id, KeyMessage.consultation_id)
            .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
            .order_by(Contribution.id)
            .limit(waiting)
        )
    ).all()
    if len(rows) < waiting:
        raise SystemExit(f"only {len(rows)} contributions to report; generate more first (bench.data)")
    now = utcnow()
    for decided in (True, False):
        for start in range(0, len(rows), BATCH):
            await _items(db, rng, rows[start : start + BATCH], readers, now, decided=decided)


async def _readers(db: Any) -> list[int]:
    values = [
        {"email": f"queue-reader-{n}@example.org", "display_name": f"Queue Reader {n}", "password_hash": None}
        for n in range(READERS)
    ]
    return list((await db.scalars(insert(User).returning(User.id), values)).all())


async def _items(db: Any, rng: random.Random, rows: list[Any], readers: list[int], now: Any, *, decided: bool) -> None:
    """One item per contribution (waiting, or decided long before), with its reports."""
    items = []
    for _contribution_id, key_message_id, consultation_id in rows:
        age = timedelta(days=30 + rng.random() * 60) if decided else timedelta(days=rng.random() * 30)
        items.append(
            {
                "kind": QueueKind.REPORTED,
                "contribution_id": _contribution_id,
                "consultation_id": consultation_id,
                "key_message_id": key_message_id,
                "opened_at": now - age,
                "report_count": rng.choice((1, 1, 1, 2, 3)),
                "decided_at": now - age + timedelta(hours=5) if decided else None,
            }
        )
    ids = list((await db.scalars(insert(QueueItem).returning(QueueItem.id), items)).all())
    reasons, weights = list(REASON_WEIGHTS), list(REASON_WEIGHTS.values())
    reports = [
        {
            "contribution_id": item["contribution_id"],
            "reporter_id": reporter,
            "reason": rng.choices(reasons, weights)[0],
            "queue_item_id": item_id,
            "created_at": item["opened_at"],
        }
        for item, item_id in zip(items, ids, strict=True)
        for reporter in rng.sample(readers, item["report_count"])
        if not decided  # a decided item's reports do not matter to the queue's reads
    ]
    if reports:
        await db.execute(insert(Report), reports)
        noted = {(report["queue_item_id"], report["reason"]): report["created_at"] for report in reports}
        reasons = [{"queue_item_id": i, "reason": r, "opened_at": at} for (i, r), at in noted.items()]
        await db.execute(insert(QueueReason), reasons)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waiting", type=int, default=10_000, help="items waiting for a decision")
    args = parser.parse_args()
    print(asyncio.run(generate(args.waiting)))


if __name__ == "__main__":
    main()
