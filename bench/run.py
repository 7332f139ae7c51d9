"""Benchmark the key message page of a small and a large discussion, the live endpoint and a
post, against a bare Starlette JSON endpoint, on a fresh database; then the large page as
the database grows, a surge of readers while someone posts, and idle memory per worker.

    python bench/run.py [--contributions 5000] [--small 50] [--database sqlite|postgresql]
                        [--requests 100] [--explain] [--scale 1000,100000,1000000]
                        [--readers 8] [--surge-seconds 20]

Builds the database with the real commands (migrate, seed, a participant) and bench/data.py
(the demo generator: RT2-KM2 gets `--small` contributions, RT2-KM3 `--contributions`, every
other key message the first `--scale` between them), serves the site and bench/bare_app.py
with uvicorn (one worker each) on loopback ports, then times sequential requests over one
keep-alive connection per client. Each further scale grows the other key messages and
measures the large page again; at the last one, the surge (bench/surge.py) and the idle
memory of `roundtable serve --workers 2` (bench/memory.py). Prints a table and writes
bench/results/<timestamp>-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages (app, bench) must import

from bench.database import Database  # noqa: E402 - needs the path above
from bench.measure import (  # noqa: E402 - needs the path above
    EMAIL,
    LARGE_REF,
    PASSWORD,
    SMALL_REF,
    measure,
    measure_key_message,
)
from bench.memory import idle_memory  # noqa: E402 - needs the path above
from bench.scale import report as scale_report  # noqa: E402 - needs the path above
from bench.scale import targets as scale_targets  # noqa: E402 - needs the path above
from bench.surge import surge  # noqa: E402 - needs the path above

RESULTS = ROOT / "bench" / "results"
#: A page that answers as soon as the site is up, whatever the database holds (the home
#: page tallies every key message: seconds at a million contributions).
READY = "/sign-in"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "roundtable_bench")
#: The targets of issue 4: the large page within 2× of the small one, and at most 150 KB.
TARGET_RATIO, TARGET_BYTES = 2.0, 150 * 1024


def scales(text: str) -> list[int]:
    values = [int(part.replace("_", "")) for part in text.split(",")]
    if values != sorted(set(values)) or values[0] < 0:
        raise argparse.ArgumentTypeError("scales must grow: e.g. 1000,100000,1000000")
    return values


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=5000, help="demo contributions on RT2-KM3 (large)")
    parser.add_argument("--small", type=int, default=50, help="demo contributions on RT2-KM2 (small)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests before each measurement")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    parser.add_argument("--explain", action="store_true", help="print the plans of the hot queries (bench/database.py)")
    parser.add_argument(
        "--scale",
        type=scales,
        default=[1000],
        help="contributions on the other key messages, growing, comma-separated (e.g. 1000,100000,1000000)",
    )
    parser.add_argument("--readers", type=int, default=8, help="readers in the surge (at the last scale)")
    parser.add_argument("--surge-seconds", type=float, default=20, help="each phase of the surge; 0: no surge")
    parser.add_argument("--memory-workers", type=int, default=2, help="workers for idle memory; 0: not measured")
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


def run_bench_module(env: dict[str, str], module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr.strip()}")
    return done.stdout.strip()


def build(env: dict[str, str], small: int, large: int, elsewhere: int = 0) -> str:
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    counts = ("--small", str(small), "--large", str(large), "--elsewhere", str(elsewhere))
    summary = run_bench_module(env, "bench.data", *counts)
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
def server(command: list[str], env: dict[str, str], log: Path, ready_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server until the block ends: terminate, then kill if it does not stop."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_ready(process, ready_url, log)
            yield process
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
            if httpx.get(url, timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout:.0f} s; see {log}")


LABELS = {
    "page_small_warm": "GET small discussion (anonymous, stored)",
    "page_small_cold": "GET small discussion (after a reply)",
    "page_large_warm": "GET large discussion (anonymous, stored)",
    "page_large_cold": "GET large discussion (after a reply)",
    "page_large_sorted": "GET large discussion, most endorsed",
    "page_large_revalidated": "GET large discussion, unchanged (304)",
    "page_signed_in": "GET large discussion (signed in)",
    "live_unchanged": "GET live news, nothing new (204)",
    "live_changed": "GET live news, 1 new contribution",
    "page_after_post": "GET large discussion (after a real post)",
    "bare_json": "GET bare JSON, 500 items",
    "post_contribution": "POST contribution (signed in)",
}


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """The figures issue 4 sets targets for: large / small, and the large page's size."""
    warm = results["page_large_warm"]["median_ms"] / results["page_small_warm"]["median_ms"]
    cold = results["page_large_cold"]["median_ms"] / results["page_small_cold"]["median_ms"]
    size = results["page_large_warm"]["bytes"]
    return {
        "large_to_small_warm": round(warm, 2),
        "large_to_small_cold": round(cold, 2),
        "large_page_bytes": size,
        "met": warm <= TARGET_RATIO and cold <= TARGET_RATIO and size <= TARGET_BYTES,
    }


def report(run: dict[str, Any]) -> str:
    results, goals = run["results"], run["targets"]
    lines = [
        f"Roundtable benchmark: {run['database']}, {run['small']} contributions on {SMALL_REF} (small) and "
        f"{run['contributions']} on {LARGE_REF} (large), {run['requests']} sequential requests each after "
        f"{run['warmup']} warm-up, keep-alive, 1 worker",
        f"Python {run['versions']['python']} · {run['versions']['database']} · "
        f"uvicorn {run['versions']['uvicorn']} · starlette {run['versions']['starlette']}",
        "",
        f"{'':48} {'median ms':>10} {'p90 ms':>10} {'min ms':>10} {'bytes':>10} {'items':>6}",
    ]
    for key, label in LABELS.items():
        row = results[key]
        lines.append(
            f"{label:48} {row['median_ms']:10.2f} {row['p90_ms']:10.2f} {row['min_ms']:10.2f} "
            f"{row['bytes'] if row['bytes'] is not None else '':>10} {row.get('items', ''):>6}"
        )
    lines += [
        "",
        f"large / small (median): stored {goals['large_to_small_warm']:.2f}×, after a reply "
        f"{goals['large_to_small_cold']:.2f}× (target ≤ {TARGET_RATIO:.0f}×); large page "
        f"{goals['large_page_bytes'] / 1024:.1f} KB (target ≤ {TARGET_BYTES // 1024} KB): "
        f"{'met' if goals['met'] else 'NOT met'}",
        f"large page / bare (median): {run['page_to_bare']:.2f}×   "
        f"after a reply / bare: {run['rerendered_to_bare']:.2f}×",
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
        # The `roundtable` script of a shared virtualenv would import the checkout it was
        # installed from (an editable install); the bench measures the code it sits in.
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH")))),
        # One member posts the same text hundreds of times a minute: the posting limits
        # (10 a minute, no repeated text) would refuse it, so they are off here.
        "POSTING_LIMIT_PER_MINUTE": "0",
        "DUPLICATE_TEXT_WINDOW_MINUTES": "0",
        # It posts as soon as it has the form; the stamp and the honeypot are still checked.
        "FORM_MIN_FILL_SECONDS": "0",
    }


def git_commit() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def site_and_floor_commands(site: str, bare: str) -> tuple[list[str], list[str]]:
    port = bare.rsplit(":", 1)[1]
    floor = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1", "--port", port]
    return [*roundtable_command(), "serve", "--port", site.rsplit(":", 1)[1]], floor


def measure_every_scale(
    env: dict[str, str], workdir: Path, database: Database, args: argparse.Namespace, generated: list[str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """At each scale (the first one built with the discussions), fresh servers: the large page
    at this size; at the first, every other row too; at the last, the surge."""
    results: dict[str, Any] = {}
    by_scale: dict[str, Any] = {}
    surged = None
    for index, elsewhere in enumerate(args.scale):
        if index:
            more = str(elsewhere - args.scale[index - 1])
            generated.append(run_bench_module(env, "bench.data", "--elsewhere", more, "--seed", str(index)))
        site, bare = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        site_command, bare_command = site_and_floor_commands(site, bare)
        with (
            server(site_command, env, workdir / f"site-{index}.log", f"{site}{READY}"),
            server(bare_command, env, workdir / f"bare-{index}.log", f"{bare}/health"),
        ):
            by_scale[str(elsewhere)] = measure_key_message(site, bare, database, args)
            by_scale[str(elsewhere)]["contributions_in_database"] = database.count_contributions()
            if index == 0:
                results = measure(site, bare, database, args)
            if index == len(args.scale) - 1 and args.surge_seconds > 0:
                surged = surge(site, args.readers, args.surge_seconds)
    return results, by_scale, surged


def measure_memory(env: dict[str, str], workdir: Path, workers: int) -> dict[str, Any]:
    site = f"http://127.0.0.1:{free_port()}"
    command = [*roundtable_command(), "serve", "--port", site.rsplit(":", 1)[1], "--workers", str(workers)]
    with server(command, env, workdir / "workers.log", f"{site}{READY}") as process:
        return idle_memory(process.pid, site, warmup=25)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `kill` too
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-bench-")), False
    try:
        database_url, database_version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        generated = [build(env, args.small, args.contributions, args.scale[0])]
        if args.explain:
            print(run_bench_module(env, "bench.database", "explain", LARGE_REF), end="\n\n")
        database = Database(database_url)
        try:
            results, by_scale, surged = measure_every_scale(env, workdir, database, args, generated)
        finally:
            database.close()
        memory = measure_memory(env, workdir, args.memory_workers) if args.memory_workers else None
        run = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": args.database,
            "contributions": args.contributions,
            "small": args.small,
            "requests": args.requests,
            "warmup": args.warmup,
            "demo_data": "\n".join(generated),
            "git": git_commit(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "versions": {
                "python": platform.python_version(),
                "database": database_version,
                **{name: version(name) for name in ("uvicorn", "starlette", "sqlalchemy", "jinja2")},
            },
            "results": results,
            "targets": targets(results),
            "page_to_bare": round(results["page_large_warm"]["median_ms"] / results["bare_json"]["median_ms"], 2),
            "rerendered_to_bare": round(results["page_large_cold"]["median_ms"] / results["bare_json"]["median_ms"], 2),
            "scales": by_scale,
            "readers": args.readers,
            "surge_seconds": args.surge_seconds,
            "surge": surged,
            "memory": memory,
            "issue10_targets": scale_targets(by_scale, surged, memory),
        }
        print(report(run))
        print(scale_report(run))
        print("\nDemo data:\n" + run["demo_data"])
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
