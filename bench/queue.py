"""Benchmark of the moderation queue (issue 11): its pages with 10,000 items waiting (and as
many decided before), next to the bare floor, one request at a time.

    python bench/queue.py --database postgresql --waiting 10000
    BENCH_PG_DATABASE=roundtable_queue_bench python bench/queue.py   # another PostgreSQL database

It builds a fresh database with the real commands (migrations, seed, a moderator with
two-factor), contributions on every key message (bench.data --elsewhere), then reports every
one of them (bench.queue_data), starts the site and the floor, signs the moderator in through
the real forms and times each row. Results go to bench/results/<time>-queue-<database>.json."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages (app, bench) must import

from bench.measure import summary, timed  # noqa: E402 - needs the path above
from bench.run import (  # noqa: E402 - needs the path above
    READY,
    RESULTS,
    clean_up,
    environment,
    free_port,
    git_commit,
    prepare_database,
    run_bench_module,
    run_roundtable,
    server,
    site_and_floor_commands,
)

EMAIL, PASSWORD, SECRET = "bench-moderator@example.org", "bench moderator password", pyotp.random_base32()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database and the server logs")
    return parser.parse_args()


def build(env: dict[str, str], waiting: int) -> list[str]:
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    run_roundtable(
        env, "users", "create", "--email", EMAIL, "--password", PASSWORD, "--name", "Bench Moderator",
        "--role", "moderator", "--totp-secret", SECRET,
    )  # fmt: skip
    return [
        run_bench_module(env, "bench.data", "--elsewhere", str(waiting)),
        run_bench_module(env, "bench.queue_data", "--waiting", str(waiting)),
    ]


def token_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {page.url}")
    return match.group(1)


def sign_in_moderator(client: httpx.Client) -> None:
    token = token_of(client.get("/sign-in"))
    response = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": ""})
    if response.headers.get("location") == "/sign-in/two-factor":
        token = token_of(client.get("/sign-in/two-factor"))
        response = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(SECRET).now(), "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"the moderator could not sign in: {response.status_code} {response.text[:300]}")


def deep_page(client: httpx.Client, pages: int) -> str:
    """The URL of the queue's page number `pages`, followed from "Next page" links."""
    url = "/moderation"
    for _ in range(pages):
        match = re.search(r'href="(/moderation\?[^"]*after=[^"]+)" rel="next"', client.get(url).text)
        if match is None:
            break
        url = match.group(1).replace("&amp;", "&")
    return url


def measure(site: str, bare: str, args: argparse.Namespace) -> dict[str, Any]:
    rows = {
        "queue, first page": "/moderation",
        "queue, one consultation": "/moderation?consultation=com-2013-292",
        "queue, one key message": "/moderation?consultation=com-2013-292&message=RT3-KM2",
        "queue, reason: illegal content (3%)": "/moderation?reason=illegal",
        "queue, waiting 7 days or more": "/moderation?waiting=7",
        "a page with the header's count (home)": "/",
    }
    results: dict[str, Any] = {}
    with httpx.Client(base_url=site, timeout=30) as client:
        sign_in_moderator(client)
        rows["queue, page 100 (keyset)"] = deep_page(client, 100)
        for name, url in rows.items():
            first = client.get(url)
            samples = timed(lambda _n, url=url: client.get(url), 200, args.requests, args.warmup)
            results[name] = summary(samples, len(first.content)) | {"url": url, "items": first.text.count("queue-item")}
    with httpx.Client(base_url=site, timeout=30) as client:  # the same small page without the count
        first = client.get("/")
        samples = timed(lambda _n: client.get("/"), 200, args.requests, args.warmup)
        results["the same page, signed out (no count)"] = summary(samples, len(first.content)) | {"url": "/"}
    with httpx.Client(base_url=bare, timeout=30) as client:
        results["bare JSON, 500 items (the floor)"] = summary(
            timed(lambda _n: client.get("/comments"), 200, args.requests, args.warmup)
        )
    return results


def report(run: dict[str, Any]) -> str:
    floor = run["results"]["bare JSON, 500 items (the floor)"]["median_ms"]
    lines = [f"Moderation queue, {run['waiting']:,} waiting ({run['database']}, {run['git']})", ""]
    lines.append(f"{'row':44} {'median':>8} {'p90':>8} {'× floor':>8} {'KB':>6}")
    for name, row in run["results"].items():
        size = f"{row['bytes'] / 1024:.0f}" if row.get("bytes") else ""
        ratio = row["median_ms"] / floor
        lines.append(f"{name:44} {row['median_ms']:8.2f} {row['p90_ms']:8.2f} {ratio:8.2f} {size:>6}")
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-queue-bench-")), False
    try:
        database_url, database_version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        generated = build(env, args.waiting)
        site, bare = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        site_command, bare_command = site_and_floor_commands(site, bare)
        with (
            server(site_command, env, workdir / "site.log", f"{site}{READY}"),
            server(bare_command, env, workdir / "bare.log", f"{bare}/health"),
        ):
            results = measure(site, bare, args)
        run = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database_version,
            "waiting": args.waiting,
            "git": git_commit(),
            "data": generated,
            "results": results,
        }
        print(report(run))
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-queue-{args.database}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
        finished = True
        return 0
    finally:
        clean_up(workdir, args, keep=args.keep or not finished)


if __name__ == "__main__":
    sys.exit(main())
