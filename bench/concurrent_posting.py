"""Soak test of writes that meet: people posting at once, through both paths, on a fresh database.

    python bench/concurrent_posting.py [--people 8] [--seconds 30] [--workers 2]
                                       [--path plain|htmx|both] [--kind position|reply|both]
                                       [--database sqlite|postgresql] [--keep]

Builds the database with the real commands (migrate, seed, one account per person), serves
the site with `roundtable serve --workers N` on a free loopback port, has every person sign
in, then runs one phase of `--seconds` per kind and path: every person publishes one after
the other, as fast as the site answers, all at the same time. Positions go round the
consultation's key messages; replies answer the positions each person posted before the
phases. The plain path is the form without JavaScript (answered 303); the htmx path is what
a browser sends (HX-Request, the token in X-CSRF-Token), answered 200 with the new item.

For each phase it prints what was sent, acknowledged and refused (by status), the latencies
and the CPU that the site's workers, the database and this client spent per acknowledged
contribution (from /proc: figures for a shared machine). At the end it checks that every
acknowledged contribution was saved exactly once. Exits 1 on any 5xx or transport error, or
an acknowledged contribution missing or doubled.

The posting limits are off here (POSTING_LIMIT_PER_MINUTE=0): each person posts far more
than ten a minute. Loopback only; at most 10 minutes in all and 64 people. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
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

from sqlalchemy import func, select, text  # noqa: E402 - after the path, with the project's imports

from app.consultation.models import KeyMessage  # noqa: E402 - needs the path above
from app.db import make_engine, make_sessionmaker  # noqa: E402 - needs the path above
from app.discussion.models import Contribution  # noqa: E402 - needs the path above
from bench.measure import form_guard  # noqa: E402 - needs the path above
from bench.run import (  # noqa: E402 - needs the path above
    clean_up,
    environment,
    free_port,
    prepare_database,
    roundtable_command,
    run_roundtable,
    server,
)

SLUG = "com-2013-292"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway account on a throwaway database
MAX_SECONDS, MAX_PEOPLE = 600, 64
#: Positions each person posts before the phases, for the replies to answer.
PARENTS_EACH = 3
TICKS = os.sysconf("SC_CLK_TCK")
PLURAL = {"position": "positions", "reply": "replies"}


@dataclass
class Person:
    number: int
    client: httpx.AsyncClient
    token: str
    #: The anti-bot fields of a contribution form this person was shown (bench.measure.form_guard).
    guard: dict[str, str]
    #: Positions this person posted before the phases: (id, key message ref).
    parents: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Outcome:
    """What one person saw in one phase."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    #: htmx answers whose fragment holds the new item (a position past a key message's first
    #: page is announced with a link to its thread instead).
    shown: int = 0


@dataclass
class Phase:
    kind: str
    path: str
    seconds: float
    outcomes: list[Outcome]
    cpu_seconds: dict[str, float]

    @property
    def acknowledged(self) -> int:
        return sum(len(o.acknowledged) for o in self.outcomes)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=8, help="people posting at the same time")
    parser.add_argument("--seconds", type=float, default=30, help="how long each phase lasts")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--path", choices=["plain", "htmx", "both"], default="both", help="plain form, htmx or both")
    parser.add_argument("--kind", choices=["position", "reply", "both"], default="both", help="what is posted")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    args = parser.parse_args()
    args.paths = ["plain", "htmx"] if args.path == "both" else [args.path]
    args.kinds = ["position", "reply"] if args.kind == "both" else [args.kind]
    total = args.seconds * len(args.paths) * len(args.kinds)
    if not 1 <= args.people <= MAX_PEOPLE or not 0 < total <= MAX_SECONDS:
        parser.error(f"--people must be 1 to {MAX_PEOPLE}, all phases together at most {MAX_SECONDS} s")
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


async def key_message_refs(database_url: str) -> list[str]:
    engine = make_engine(database_url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            return list(await db.scalars(select(KeyMessage.ref).order_by(KeyMessage.id)))
    finally:
        await engine.dispose()


def km_path(ref: str) -> str:
    return f"/consultations/{SLUG}/messages/{ref}"


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


async def post_parents(person: Person, refs: list[str]) -> None:
    """A few positions to reply to, through the plain form."""
    for ref in refs[person.number % len(refs) :][:PARENTS_EACH]:
        key = secrets.token_hex(12)
        data = {"csrf_token": person.token, **person.guard, "position": "support", "submission_key": key}
        data["body"] = f"Parent {key}"
        response = await person.client.post(f"{km_path(ref)}/contributions", data=data)
        if response.status_code != 303:
            raise RuntimeError(f"could not post a position to reply to: {response.status_code}")
        person.parents.append((int(response.headers["location"].rpartition("#c")[2]), ref))


def request_of(person: Person, kind: str, path: str, counter: int, refs: list[str], parents: list[tuple[int, str]]):  # type: ignore[no-untyped-def]
    """(url, form fields, headers) of one post: a position on the next key message, or a
    reply to the next person's parent position."""
    key = secrets.token_hex(12)
    data = {"csrf_token": person.token, **person.guard, "submission_key": key}
    if kind == "position":
        ref = refs[(person.number + counter) % len(refs)]
        url = f"{km_path(ref)}/contributions"
        data.update(position="support", body=f"Poster {person.number}, post {counter}: keep this key message. {key}")
    else:
        parent_id, ref = parents[(person.number + counter) % len(parents)]
        url = f"/contributions/{parent_id}/replies"
        data.update(body=f"Poster {person.number}, reply {counter}: I agree. {key}")
    headers = {}
    if path == "htmx":  # what htmx sends: the token from <body hx-headers> and the page's address
        headers = {"HX-Request": "true", "HX-Current-URL": f"{person.client.base_url}{km_path(ref)}"}
        headers["X-CSRF-Token"] = person.token
    return url, data, headers, key


async def keep_posting(
    person: Person, kind: str, path: str, refs: list[str], parents: list[tuple[int, str]], deadline: float
) -> Outcome:
    """One person publishing one after the other until the deadline."""
    outcome = Outcome()
    acknowledging = 200 if path == "htmx" else 303
    for counter in itertools.count():
        if time.monotonic() >= deadline:
            break
        url, data, headers, key = request_of(person, kind, path, counter, refs, parents)
        outcome.sent.append(key)
        began = time.perf_counter()
        try:
            response = await person.client.post(url, data=data, headers=headers)
        except httpx.HTTPError as error:
            outcome.statuses[type(error).__name__] += 1
            continue
        outcome.latencies_ms.append((time.perf_counter() - began) * 1000)
        outcome.statuses[str(response.status_code)] += 1
        if response.status_code == acknowledging:
            outcome.acknowledged.append(key)
            outcome.shown += path == "htmx" and key in response.text
    return outcome


def cpu_seconds_of(pids: list[int]) -> dict[int, float]:
    """User and system CPU of each of these processes so far (those that ended are left out)."""
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return spent


def site_processes(port: int) -> list[int]:
    """The uvicorn supervisor serving on `port` and its workers."""
    supervisor = [pid for pid, line in _command_lines() if "serve" in line and f"--port\0{port}\0" in line]
    children = [pid for pid, _line in _command_lines() if _parent_of(pid) in supervisor]
    return supervisor + children


def _command_lines() -> list[tuple[int, str]]:
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((int(entry.name), (entry / "cmdline").read_text() + "\0"))
            except OSError:
                continue
    return lines


def _parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except OSError:
        return -1


async def database_processes(database_url: str) -> list[int]:
    """PostgreSQL's backends serving the site's database (none for SQLite: it runs in the workers)."""
    if not database_url.startswith("postgresql"):
        return []
    engine = make_engine(database_url, null_pool=True)
    try:
        async with engine.connect() as connection:
            query = text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return list((await connection.execute(query)).scalars())
    finally:
        await engine.dispose()


class CpuMeter:
    """CPU spent by the site's workers, the database's backends and this client since the
    last reading. Processes are looked up at each reading: a worker that uvicorn replaced
    counts from its start, one that ended takes its last share with it."""

    def __init__(self, port: int, database_url: str) -> None:
        self.port = port
        self.database_url = database_url
        self.last: dict[str, dict[int, float]] = {}

    async def read(self) -> dict[str, float]:
        now = {
            "site": cpu_seconds_of(site_processes(self.port)),
            "database": cpu_seconds_of(await database_processes(self.database_url)),
            "client": {os.getpid(): time.process_time()},
        }
        spent = {
            name: sum(seconds - self.last.get(name, {}).get(pid, 0.0) for pid, seconds in per_pid.items())
            for name, per_pid in now.items()
        }
        self.last = now
        return spent


async def soak(site: str, port: int, database_url: str, args: argparse.Namespace) -> list[Phase]:
    """Everyone signs in and posts the positions to reply to; then each phase in turn."""
    refs = await key_message_refs(database_url)
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=site, timeout=60)) for _ in range(args.people)
        ]
        tokens = await asyncio.gather(*(sign_in(client, email_of(n)) for n, client in enumerate(clients)))
        guards = [form_guard((await client.get(km_path(refs[0]))).text) for client in clients]
        people = [
            Person(n, client, token, guard)
            for n, (client, token, guard) in enumerate(zip(clients, tokens, guards, strict=True))
        ]
        await asyncio.gather(*(post_parents(person, refs) for person in people))
        parents = [parent for person in people for parent in person.parents]
        phases = []
        meter = CpuMeter(port, database_url)
        await meter.read()
        for kind, path in itertools.product(args.kinds, args.paths):
            deadline = time.monotonic() + args.seconds
            work = (keep_posting(person, kind, path, refs, parents, deadline) for person in people)
            outcomes = list(await asyncio.gather(*work))
            phases.append(Phase(kind, path, args.seconds, outcomes, await meter.read()))
        return phases


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


def report_phase(phase: Phase, counts: Counter[str]) -> bool:
    """Print one phase; True when nothing it acknowledged was lost or doubled and nothing failed."""
    outcomes = phase.outcomes
    sent = [key for o in outcomes for key in o.sent]
    acknowledged = [key for o in outcomes for key in o.acknowledged]
    statuses = sum((o.statuses for o in outcomes), Counter())
    latencies = [ms for o in outcomes for ms in o.latencies_ms]
    lost = [key for key in acknowledged if counts[key] == 0]
    doubled = [key for key in sent if counts[key] > 1]
    unacknowledged_saved = len({key for key in sent if counts[key]} - set(acknowledged))
    failed = sum(n for status, n in statuses.items() if not status.isdigit() or status.startswith("5"))
    print(f"\n{PLURAL[phase.kind]}, {phase.path}: sent {len(sent)}, acknowledged {len(acknowledged)}", end="")
    print(f" ({len(acknowledged) / phase.seconds:.1f}/s)")
    print("  answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
    if phase.path == "htmx":
        print(f"  answers holding the new item: {sum(o.shown for o in outcomes)}")
    print(f"  saved {sum(counts[key] for key in sent)}; acknowledged but missing {len(lost)}; ", end="")
    print(f"saved twice {len(doubled)}; saved without an acknowledgement {unacknowledged_saved}")
    if latencies:
        print(
            f"  latency ms: median {statistics.median(latencies):.1f}, p95 {percentile(latencies, 0.95):.1f}, "
            f"p99 {percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}"
        )
    if acknowledged:
        per_post = {name: 1000 * seconds / len(acknowledged) for name, seconds in phase.cpu_seconds.items()}
        print("  CPU ms per contribution: " + ", ".join(f"{name} {ms:.2f}" for name, ms in per_post.items()))
    print("  per person acknowledged: " + ", ".join(str(len(o.acknowledged)) for o in outcomes))
    return not (failed or lost or doubled)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `kill` too
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-soak-")), False
    try:
        database_url, version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        env.update(POSTING_LIMIT_PER_MINUTE="0", DUPLICATE_TEXT_WINDOW_MINUTES="0")
        build(env, args.people)
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        command = [*roundtable_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with server([*command, "--workers", str(args.workers)], env, workdir / "site.log", f"{site}/"):
            phases = asyncio.run(soak(site, port, database_url, args))
        counts = asyncio.run(saved_counts(database_url, [key for p in phases for o in p.outcomes for key in o.sent]))
        print(f"{args.people} people, {args.seconds:.0f} s a phase, {args.workers} workers, {version}")
        finished = all([report_phase(phase, counts) for phase in phases])
        return 0 if finished else 1
    finally:
        clean_up(workdir, args, keep=args.keep or not finished)


if __name__ == "__main__":
    sys.exit(main())
