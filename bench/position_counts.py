"""What the maintained position counts cost and save: reading a key message's tallies from
them against recounting its positions (what every read did before), the cost they add to
posting a position, and to the demo generator's bulk insert.

    DATABASE_URL=postgresql+asyncpg://... python -m bench.position_counts --contributions 5000

The database must be migrated and seeded (`roundtable db upgrade`, `roundtable seed`); the
run adds demo data to it. The "without" figures switch the counting triggers off for the
time of the measurement (and back on), so keep it away from a database people use."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.consultation.models import KeyMessage
from app.consultation.services import consultation_by_slug, key_message_by_ref
from app.db import make_engine, make_sessionmaker, writing
from app.demo.generator import generate_demo_data
from app.discussion.contribution_write import Draft, publish_position
from app.discussion.position_counts import rebuild_position_counts
from app.discussion.tallies import recount_tallies, tallies
from app.settings import PROJECT_ROOT, load_settings

SLUG = "com-2013-292"
REF = "RT2-KM3"
POSTING_REF = "RT2-KM4"
MIGRATION = PROJECT_ROOT / "migrations" / "versions" / "20261207_c5f2d8e3b942_position_counts.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("position_counts_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def switch_triggers(engine: AsyncEngine, *, on: bool) -> None:
    """Off, or on again with the counts rebuilt for what was written meanwhile."""
    migration = _migration()
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for name in migration.TRIGGER_NAMES:
                await connection.execute(
                    text(f"ALTER TABLE contributions {'ENABLE' if on else 'DISABLE'} TRIGGER {name}")
                )
        elif on:
            for statement in migration.SQLITE_TRIGGERS:
                await connection.execute(text(statement))
        else:
            for name in migration.TRIGGER_NAMES:
                await connection.execute(text(f"DROP TRIGGER {name}"))
    if on:
        async with make_sessionmaker(writing(engine))() as db:
            start = time.perf_counter()
            await rebuild_position_counts(db)
            await db.commit()
            print(f"{'  (rebuilt every count)':34} {(time.perf_counter() - start) * 1000:7.1f} ms")


@asynccontextmanager
async def counts_kept(engine: AsyncEngine, counting: bool) -> AsyncIterator[None]:
    """The triggers on, or off for the time of the block."""
    if counting:
        yield
        return
    await switch_triggers(engine, on=False)
    try:
        yield
    finally:
        await switch_triggers(engine, on=True)


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    # The minimum too: on a shared machine it is the figure other processes disturb least.
    low, median = ordered[0] * 1000, statistics.median(ordered) * 1000
    return f"min {low:7.3f} ms   median {median:7.3f} ms   p95 {p95 * 1000:7.3f} ms   (n={len(ordered)})"


async def timed(count: int, work: Callable[[int], Awaitable[Any]]) -> list[float]:
    samples = []
    for number in range(count):
        start = time.perf_counter()
        await work(number)
        samples.append(time.perf_counter() - start)
    return samples


async def read_tallies(engine: AsyncEngine, repeat: int) -> None:
    async with make_sessionmaker(engine)() as db:
        consultation = await consultation_by_slug(db, SLUG)
        assert consultation is not None
        message = key_message_by_ref(consultation, REF)
        assert message is not None
        ids = [message.id]
        assert await tallies(db, ids) == await recount_tallies(db, ids)
        positions = (await tallies(db, ids))[message.id].total
        for name, read in (("tallies() from the counts", tallies), ("recount (the read before)", recount_tallies)):
            await timed(20, lambda _n, read=read: read(db, ids))  # warm up
            print(f"{name:34} {summary(await timed(repeat, lambda _n, read=read: read(db, ids)))}")
        print(f"  ({positions} counted positions on {REF})")


async def _people(engine: AsyncEngine, count: int) -> list[int]:
    async with make_sessionmaker(engine)() as db:
        ids = list(await db.scalars(select(User.id).where(User.email.like("demo-%")).limit(count)))
        assert len(ids) == count, "generate demo data first"
        return ids


async def _post(engine: AsyncEngine, author_id: int, position: str) -> float:
    """The seconds publish_position and the commit take (loading the person and the page's
    consultation aside)."""
    async with make_sessionmaker(writing(engine))() as db:
        consultation = await consultation_by_slug(db, SLUG)
        author = await db.scalar(select(User).where(User.id == author_id).options(selectinload(User.memberships)))
        assert consultation is not None and author is not None
        message = key_message_by_ref(consultation, POSTING_REF)
        assert message is not None
        draft = Draft(body="A position.", submission_key=secrets.token_hex(12), position=position)
        start = time.perf_counter()
        await publish_position(
            db, author=author, consultation=consultation, key_message=message, draft=draft, max_chars=10_000
        )
        await db.commit()
        return time.perf_counter() - start


async def post_positions(engine: AsyncEngine, posts: int) -> None:
    """Each post supersedes its speaker's earlier position, as people change their minds."""
    people = await _people(engine, 41)  # odd: each person's position flips from one post to the next
    for label, counting in (("posting a position, with counts", True), ("posting a position, triggers off", False)):
        async with counts_kept(engine, counting):
            samples = [await _post(engine, people[n % len(people)], ("support", "oppose")[n % 2]) for n in range(posts)]
        print(f"{label:34} {summary(samples)}")


async def bulk_insert(engine: AsyncEngine, contributions: int) -> None:
    for label, counting in (("demo data, with counts", True), ("demo data, triggers off", False)):
        async with counts_kept(engine, counting):
            async with make_sessionmaker(engine)() as db:
                start = time.perf_counter()
                await generate_demo_data(
                    db, contributions=contributions, key_message_ref="RT2-KM5", consultation_slug=None, random_seed=5
                )
                await db.commit()
                seconds = time.perf_counter() - start
        print(f"{label:34} {contributions / seconds:8.0f} contributions/s ({contributions} in {seconds:.2f} s)")


async def _generate(engine: AsyncEngine, contributions: int) -> None:
    async with make_sessionmaker(engine)() as db:
        await generate_demo_data(
            db, contributions=contributions, key_message_ref=REF, consultation_slug=None, random_seed=2014
        )
        await db.commit()
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()


async def main(args: argparse.Namespace) -> None:
    engine = make_engine(load_settings().database_url)
    try:
        await _generate(engine, args.contributions)
        await read_tallies(engine, args.reads)
        await post_positions(engine, args.posts)
        await bulk_insert(engine, args.bulk)
        async with make_sessionmaker(engine)() as db:  # counted right throughout, rebuilt after each pause
            every = list(await db.scalars(select(KeyMessage.id)))
            assert await tallies(db, every) == await recount_tallies(db, every)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=5000, help="on the key message whose tallies are read")
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--bulk", type=int, default=5000, help="contributions the demo generator inserts, each way")
    asyncio.run(main(parser.parse_args()))
