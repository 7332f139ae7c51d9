"""Benchmark the key message page against a bare Starlette JSON endpoint, on a fresh database.

    python bench/run.py [--contributions 500] [--database sqlite|postgresql] [--requests 200]

Builds the database with the real commands (migrate, seed, demo data, a participant),
serves the site and bench/bare_app.py with uvicorn (one worker each) on loopback ports,
then times sequential requests over one keep-alive connection per client. Prints a table
and writes bench/results/<timestamp>-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PAGE = "/consultations/com-2013-292/messages/RT2-KM3"
EMAIL, PASSWORD = "bench-participant@example.org", "bench-password-not-secret"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = "roundtable_bench"
BODY = (
    "Remittance costs remain far too high on many corridors. We propose a clear target, "
    "regular monitoring and **fair access** to payment systems for money transfer operators. "
) * 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=500, help="demo contributions on RT2-KM3")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before each measurement")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    return parser.parse_args()


async def _pg(sql: str, database: str = "postgres") -> Any:
    import asyncpg

    connection = await asyncpg.connect(f"{PG_ADMIN_URL}/{database}")
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def prepare_database(kind: str, workdir: Path) -> tuple[str, str]:
    """A fresh, empty database: (SQLAlchemy URL, server version)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}", f"SQLite {sqlite3.sqlite_version}"
    asyncio.run(_pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
    asyncio.run(_pg(f"CREATE DATABASE {PG_DATABASE}"))
    server = asyncio.run(_pg("SHOW server_version", PG_DATABASE))
    return PG_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{PG_DATABASE}", f"PostgreSQL {server}"


def roundtable_command() -> list[str]:
    script = shutil.which("roundtable", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "app.cli"]


def run_roundtable(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*roundtable_command(), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"roundtable {args[0]} failed:\n{done.stderr.strip()}")
    return done.stdout.strip()


def build(env: dict[str, str], contributions: int) -> str:
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    summary = run_roundtable(env, "demo-data", "--contributions", str(contributions), "--key-message", "RT2-KM3")
    run_roundtable(
        env,
        "users",
        "create",
        "--email",
        EMAIL,
        "--password",
        PASSWORD,
        "--name",
        "Bench Participant",
        "--org-name",
        "Benchmark Migrant Support Network",
        "--org-type",
        "civil_society",
        "--country",
        "SN",
    )
    return summary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], log: Path, ready_url: str) -> Iterator[None]:
    """Run a server until the block ends: terminate, then kill if it does not stop."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_ready(process, ready_url, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout:.0f} s; see {log}")


def timed(send: Callable[[int], httpx.Response], expected: int, count: int, warmup: int) -> list[float]:
    """Milliseconds per request, the body fully read; warm-up requests are not timed."""
    samples = []
    for number in range(warmup + count):
        start = time.perf_counter()
        response = send(number)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != expected:
            raise RuntimeError(
                f"{response.request.method} {response.request.url}: {response.status_code}, "
                f"expected {expected}: {response.text[:300]}"
            )
        if number >= warmup:
            samples.append(elapsed)
    return samples


def summary(samples: list[float], size: int | None = None) -> dict[str, Any]:
    deciles = statistics.quantiles(samples, n=10, method="inclusive")
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(deciles[8], 2),
        "min_ms": round(min(samples), 2),
        "bytes": size,
    }


def sign_in(client: httpx.Client) -> str:
    """Through the real form; returns the CSRF token to reuse in later posts."""
    page = client.get("/sign-in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None or "rt_csrf" not in client.cookies:
        raise RuntimeError("no CSRF token on /sign-in")
    token = match.group(1)
    response = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": ""})
    if response.status_code != 303 or "rt_session" not in client.cookies:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return token


def measure(site: str, bare: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    n, warm = args.requests, args.warmup
    with (
        httpx.Client(base_url=site) as anonymous,
        httpx.Client(base_url=site) as member,
        httpx.Client(base_url=bare) as floor,
    ):
        page = anonymous.get(PAGE)
        results = {"page_anonymous": summary(timed(lambda _: anonymous.get(PAGE), 200, n, warm), len(page.content))}
        token = sign_in(member)
        member_page = member.get(PAGE)
        results["page_signed_in"] = summary(timed(lambda _: member.get(PAGE), 200, n, warm), len(member_page.content))
        bare_size = len(floor.get("/comments").content)
        results["bare_json"] = summary(timed(lambda _: floor.get("/comments"), 200, n, warm), bare_size)

        def post(_number: int) -> httpx.Response:
            return member.post(
                f"{PAGE}/contributions",
                data={
                    "csrf_token": token,
                    "submission_key": f"bench-{secrets.token_hex(12)}",
                    "position": "support",
                    "body": BODY,
                },
            )

        results["post_contribution"] = summary(timed(post, 303, n, warm))
        results["page_after_post"] = summary(_page_after_each_post(anonymous, post, n), len(page.content))
        results["page_anonymous"]["items"] = page.text.count('class="contribution"')
    return results


def _page_after_each_post(client: httpx.Client, post: Callable[[int], httpx.Response], count: int) -> list[float]:
    """The page right after a write: its cached first page is stale, so this is a full render."""
    samples = []
    for number in range(count):
        post(number)
        start = time.perf_counter()
        response = client.get(PAGE)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {PAGE}: {response.status_code}")
    return samples


LABELS = {
    "page_anonymous": "GET key message page (anonymous)",
    "page_after_post": "GET key message page (after a post: re-render)",
    "page_signed_in": "GET key message page (signed in)",
    "bare_json": "GET bare JSON, 500 items",
    "post_contribution": "POST contribution (signed in)",
}


def report(run: dict[str, Any]) -> str:
    results = run["results"]
    lines = [
        f"Roundtable benchmark: {run['database']}, {run['contributions']} demo contributions on RT2-KM3, "
        f"{run['requests']} sequential requests each after {run['warmup']} warm-up, keep-alive, 1 worker",
        f"Python {run['versions']['python']} · {run['versions']['database']} · "
        f"uvicorn {run['versions']['uvicorn']} · starlette {run['versions']['starlette']}",
        "",
        f"{'':48} {'median ms':>10} {'p90 ms':>10} {'min ms':>10} {'bytes':>10}",
    ]
    for key, label in LABELS.items():
        row = results[key]
        lines.append(
            f"{label:48} {row['median_ms']:10.2f} {row['p90_ms']:10.2f} {row['min_ms']:10.2f} "
            f"{row['bytes'] if row['bytes'] is not None else '':>10}"
        )
    lines += [
        "",
        f"page / bare (median): {run['page_to_bare']:.2f}×   "
        f"re-rendered page / bare: {run['rerendered_to_bare']:.2f}×   "
        f"contributions on the first page: {results['page_anonymous']['items']}",
    ]
    return "\n".join(lines)


def environment(database_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUNDTABLE_", "TEST_DATABASE"))}
    return {
        **env,
        "DATABASE_URL": database_url,
        "ROUNDTABLE_VAR_DIR": str(workdir / "var"),
        "ROUNDTABLE_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PYTHONUNBUFFERED": "1",
    }


def git_commit() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `kill` too
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-bench-")), False
    try:
        database_url, database_version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        generated = build(env, args.contributions)
        site, bare = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        site_command = [*roundtable_command(), "serve", "--port", site.rsplit(":", 1)[1]]
        bare_command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            bare.rsplit(":", 1)[1],
        ]
        with (
            server(site_command, env, workdir / "site.log", f"{site}/"),
            server(bare_command, env, workdir / "bare.log", f"{bare}/health"),
        ):
            results = measure(site, bare, args)
        run = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": args.database,
            "contributions": args.contributions,
            "requests": args.requests,
            "warmup": args.warmup,
            "demo_data": generated,
            "git": git_commit(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "versions": {
                "python": platform.python_version(),
                "database": database_version,
                **{name: version(name) for name in ("uvicorn", "starlette", "sqlalchemy", "jinja2")},
            },
            "results": results,
            "page_to_bare": round(results["page_anonymous"]["median_ms"] / results["bare_json"]["median_ms"], 2),
            "rerendered_to_bare": round(results["page_after_post"]["median_ms"] / results["bare_json"]["median_ms"], 2),
        }
        print(report(run))
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{args.database}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
        finished = True
        return 0
    finally:
        clean_up(workdir, args, keep=args.keep or not finished)


def clean_up(workdir: Path, args: argparse.Namespace, *, keep: bool) -> None:
    """Keep the folder (logs, SQLite file) and database when asked to, or after a failure."""
    if keep:
        print(f"kept {workdir} (server logs, database)", file=sys.stderr)
        return
    shutil.rmtree(workdir, ignore_errors=True)
    if args.database == "postgresql":
        asyncio.run(_pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))


if __name__ == "__main__":
    sys.exit(main())
