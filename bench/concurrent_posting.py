"""Soak test of writes that meet: eight people posting at once for a minute, on a fresh database.

    python bench/concurrent_posting.py [--people 8] [--seconds 60] [--workers 2]
                                       [--database sqlite|postgresql] [--keep]

Builds the database with the real commands (migrate, seed, one account per person), serves
the site with `roundtable serve --workers N` on a free loopback port, then has every person
sign in and publish positions one after the other, as fast as the site answers, all at the
same time, until the time is up. Prints what was sent, acknowledged (303) and refused (by
status), whether every acknowledged contribution was saved exactly once, and the latencies.
Exits 1 if any post answered 5xx or failed, or an acknowledged one is missing or doubled.

The posting limits are off here (POSTING_LIMIT_PER_MINUTE=0): each person posts far more
than ten a minute. Loopback only; at most 10 minutes and 64 people. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages (app, bench) must import

from sqlalchemy import func, select  # noqa: E402 - after the path, with the project's imports

from app.db import make_engine, make_sessionmaker  # noqa: E402 - needs the path above
from app.discussion.models import Contribution  # noqa: E402 - needs the path above
from bench.run import (  # noqa: E402 - needs the path above
    clean_up,
    environment,
    free_port,
    prepare_database,
    roundtable_command,
    run_roundtable,
    server,
)

REFS = ("RT2-KM1", "RT2-KM2", "RT2-KM3", "RT2-KM4", "RT2-KM5")
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway account on a throwaway database
MAX_SECONDS, MAX_PEOPLE = 600, 64


@dataclass
class Outcome:
    """What one person saw."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=8, help="people posting at the same time")
    parser.add_argument("--seconds", type=float, default=60, help="how long they keep posting")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    args = parser.parse_args()
    if not 1 <= args.people <= MAX_PEOPLE or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--people must be 1 to {MAX_PEOPLE}, --seconds at most {MAX_SECONDS}")
    return args


def email_of(number: int) -> str:
    return f"bench-poster-{number}@example.org"


def build(env: dict[str, str], people: int) -> None:
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    for number in range(people):
        run_roundtable(
            env, "users", "create", "--email", email_of(number), "--password", PASSWORD, "--name", f"Poster {number}"
        )


async def sign_in(client: httpx.AsyncClient, email: str) -> str:
    """Through the real form; returns the CSRF token the posts carry."""
    page = await client.get("/sign-in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError("no CSRF token on /sign-in")
    data = {"email": email, "password": PASSWORD, "csrf_token": match.group(1), "next": ""}
    response = await client.post("/sign-in", data=data)
    if response.status_code != 303:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return match.group(1)


async def keep_posting(client: httpx.AsyncClient, token: str, number: int, deadline: float) -> Outcome:
    """One person publishing positions one after the other until the deadline."""
    outcome = Outcome()
    while time.monotonic() < deadline:
        key = secrets.token_hex(12)
        ref = REFS[len(outcome.sent) % len(REFS)]
        body = f"Poster {number}, post {len(outcome.sent)}: keep this key message. {key}"
        data = {"csrf_token": token, "position": "support", "submission_key": key, "body": body}
        outcome.sent.append(key)
        began = time.perf_counter()
        try:
            response = await client.post(f"/consultations/com-2013-292/messages/{ref}/contributions", data=data)
        except httpx.HTTPError as error:
            outcome.statuses[type(error).__name__] += 1
            continue
        outcome.latencies_ms.append((time.perf_counter() - began) * 1000)
        outcome.statuses[str(response.status_code)] += 1
        if response.status_code == 303:
            outcome.acknowledged.append(key)
    return outcome


async def soak(site: str, people: int, seconds: float) -> list[Outcome]:
    """Everyone signs in first; then all post at once until the time is up."""
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(httpx.AsyncClient(base_url=site, timeout=60)) for _ in range(people)]
        tokens = await asyncio.gather(*(sign_in(client, email_of(n)) for n, client in enumerate(clients)))
        deadline = time.monotonic() + seconds
        return list(
            await asyncio.gather(
                *(
                    keep_posting(client, token, n, deadline)
                    for n, (client, token) in enumerate(zip(clients, tokens, strict=True))
                )
            )
        )


async def saved_counts(database_url: str, keys: list[str]) -> Counter[str]:
    engine = make_engine(database_url, null_pool=True)
    counts: Counter[str] = Counter()
    try:
        async with make_sessionmaker(engine)() as db:
            for start in range(0, len(keys), 500):
                rows = await db.execute(
                    select(Contribution.submission_key, func.count())
                    .where(Contribution.submission_key.in_(keys[start : start + 500]))
                    .group_by(Contribution.submission_key)
                )
                counts.update({key: count for key, count in rows})
    finally:
        await engine.dispose()
    return counts


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def report(outcomes: list[Outcome], counts: Counter[str], args: argparse.Namespace) -> bool:
    """Print the counts and latencies; True when nothing acknowledged was lost or doubled."""
    sent = [key for o in outcomes for key in o.sent]
    acknowledged = [key for o in outcomes for key in o.acknowledged]
    statuses = sum((o.statuses for o in outcomes), Counter())
    latencies = [ms for o in outcomes for ms in o.latencies_ms]
    lost = [key for key in acknowledged if counts[key] == 0]
    doubled = [key for key, count in counts.items() if count > 1]
    unacknowledged_saved = len(set(counts) - set(acknowledged))
    failed = sum(n for status, n in statuses.items() if not status.isdigit() or status.startswith("5"))
    print(f"{args.people} people, {args.seconds:.0f} s, {args.workers} workers, {args.database}")
    print(f"sent {len(sent)}, acknowledged {len(acknowledged)} ({len(acknowledged) / args.seconds:.1f}/s)")
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
    print(f"saved {sum(counts.values())}; acknowledged but missing {len(lost)}; saved twice {len(doubled)}; ", end="")
    print(f"saved without an acknowledgement {unacknowledged_saved}")
    if latencies:
        print(
            f"latency ms: median {statistics.median(latencies):.1f}, p95 {percentile(latencies, 0.95):.1f}, "
            f"p99 {percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}"
        )
    print("per person acknowledged: " + ", ".join(str(len(o.acknowledged)) for o in outcomes))
    return not (failed or lost or doubled)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `kill` too
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-soak-")), False
    try:
        database_url, _version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        env.update(POSTING_LIMIT_PER_MINUTE="0", DUPLICATE_TEXT_WINDOW_MINUTES="0")
        build(env, args.people)
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        command = [*roundtable_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with server([*command, "--workers", str(args.workers)], env, workdir / "site.log", f"{site}/"):
            outcomes = asyncio.run(soak(site, args.people, args.seconds))
        keys = [key for o in outcomes for key in o.sent]
        ok = report(outcomes, asyncio.run(saved_counts(database_url, keys)), args)
        finished = ok
        return 0 if ok else 1
    finally:
        clean_up(workdir, args, keep=args.keep or not finished)


if __name__ == "__main__":
    sys.exit(main())
