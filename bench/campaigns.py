"""Campaigns at scale (issue 11): grouping 100,000 contributions, some of them injected
campaigns, timed as the background job runs it (read, group, write), and checked: is each
injected campaign found whole, and is anything else grouped?

    python -m bench.campaigns --contributions 100000        # a fresh SQLite file in a temporary folder
    DATABASE_URL=postgresql+asyncpg://... python -m bench.campaigns --contributions 100000   # migrated and seeded

Rows come from the demo generator (app.demo.generator: people, organisations, threads);
its bodies come from a pool of a thousand and repeat, so every body is then rewritten:
words drawn with Zipf's law's weights (a few words very common, most rare, as in real
text), 15 to 150 words each, and `--campaign-share` of them copied from `--campaigns`
templates with up to four words changed per copy, in campaigns of very different sizes.
The rewriting is not timed. The job's three steps are timed apart: reading the texts
(`texts_of`), grouping them (`near_duplicate_groups`, the CPU part the worker runs in a
thread) and saving the campaigns (`save_campaigns`, which writes every member)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

from sqlalchemy import bindparam, select, update

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker, writing
from app.demo.generator import generate_demo_data
from app.discussion.campaigns import save_campaigns, texts_of
from app.discussion.models import Contribution
from app.discussion.near_duplicates import near_duplicate_groups
from app.settings import PROJECT_ROOT, load_settings

SLUG = "com-2013-292"
VOCABULARY = 20_000
#: The throw-away database's signing key (it signs nothing anyone uses).
BENCH_SECRET = "bench-campaigns-" + "0" * 16


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = list({"".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(VOCABULARY)})
    return words, list(accumulate(1 / rank for rank in range(1, len(words) + 1)))


def _text(rng: random.Random, words: list[str], weights: list[float]) -> str:
    return " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(15, 150)))


def _edited(rng: random.Random, template: str, words: list[str]) -> str:
    edited = template.split()
    for _ in range(rng.randint(0, 4)):
        edited[rng.randrange(len(edited))] = rng.choice(words)
    return " ".join(edited)


def _campaign_sizes(rng: random.Random, campaigns: int, members: int) -> list[int]:
    """Sizes from a handful to thousands (log-uniform weights), adding up to `members`."""
    weights = [2 ** rng.uniform(0, 10) for _ in range(campaigns)]
    sizes = [max(3, int(members * weight / sum(weights))) for weight in weights]
    return sorted(sizes, reverse=True)


def new_bodies(ids: list[int], campaigns: int, share: float, seed: int) -> tuple[dict[int, str], list[set[int]]]:
    """A body for every id; the injected campaigns as sets of ids."""
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    shuffled = rng.sample(ids, len(ids))
    bodies: dict[int, str] = {}
    injected: list[set[int]] = []
    start = 0
    for size in _campaign_sizes(rng, campaigns, int(len(ids) * share)):
        template = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(40, 120)))
        members = shuffled[start : start + size]
        start += size
        bodies.update((member, _edited(rng, template, words)) for member in members)
        injected.append(set(members))
    bodies.update((identifier, _text(rng, words, weights)) for identifier in shuffled[start:])
    return bodies, injected


def _prepare_sqlite() -> str:
    """A fresh SQLite database, migrated and seeded by the real commands."""
    path = Path(tempfile.mkdtemp(prefix="bench-campaigns-")) / "bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    os.environ.update(DATABASE_URL=url, SECRET_KEY=BENCH_SECRET)
    env = dict(os.environ)
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run([sys.executable, "-m", "app.cli", *command], cwd=PROJECT_ROOT, env=env, check=True)
    return url


async def run(contributions: int, campaigns: int, share: float, seed: int) -> None:
    engine = make_engine(load_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            print(
                await generate_demo_data(
                    db, contributions=contributions, key_message_ref=None, consultation_slug=SLUG, random_seed=seed
                )
            )
            await db.commit()
        async with make_sessionmaker(writing(engine))() as db:
            ids = list(await db.scalars(select(Contribution.id).order_by(Contribution.id)))
            bodies, injected = new_bodies(ids, campaigns, share, seed)
            rows = [{"changed": identifier, "body": body} for identifier, body in bodies.items()]
            rewrite = (
                update(Contribution.__table__)
                .where(Contribution.__table__.c.id == bindparam("changed"))
                .values(body_source=bindparam("body"))
            )
            await (await db.connection()).execute(rewrite, rows)
            await db.commit()
        print(
            f"{len(ids):,} contributions; {len(injected)} campaigns injected: "
            f"{sum(map(len, injected)):,} members, sizes {len(injected[0])} to {len(injected[-1])}"
        )
        await _timed_job(engine, injected)
    finally:
        await engine.dispose()


async def _timed_job(engine, injected: list[set[int]]) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    async with make_sessionmaker(engine)() as db:
        consultation = await consultation_by_slug(db, SLUG)
        assert consultation is not None, "the database is seeded"
        consultation_id = consultation.id
        texts = await texts_of(db, consultation_id)
    read = time.perf_counter()
    groups = near_duplicate_groups(texts)
    grouped = time.perf_counter()
    async with make_sessionmaker(writing(engine))() as db:
        await save_campaigns(db, consultation_id, groups)
        await db.commit()
    saved = time.perf_counter()
    found = {frozenset(group.ids) for group in groups}
    grouped_ids = {identifier for identifier, _ in texts}  # withdrawn contributions are not grouped
    whole = sum(frozenset(campaign & grouped_ids) in found for campaign in injected)
    members = {member for campaign in injected for member in campaign}
    strays = sum(1 for group in groups if not set(group.ids) & members)
    print(
        f"read {len(texts):,} texts {read - started:.1f} s; grouped {grouped - read:.1f} s; "
        f"saved {len(groups)} campaigns {saved - grouped:.1f} s; total {saved - started:.1f} s"
    )
    print(f"injected campaigns found whole: {whole} of {len(injected)}; groups of other texts: {strays}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--campaigns", type=int, default=60, help="campaigns injected")
    parser.add_argument("--campaign-share", type=float, default=0.1, help="share of contributions in a campaign")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        _prepare_sqlite()
    asyncio.run(run(args.contributions, args.campaigns, args.campaign_share, args.seed))


if __name__ == "__main__":
    main()
