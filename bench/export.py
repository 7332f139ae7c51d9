"""Exports at scale (issue 12): `roundtable export` to CSV and JSON of a consultation with
`--contributions` contributions, time and peak memory (the export process's maximum RSS,
from /usr/bin/time), beside the floor: bare Starlette streaming as many rows from asyncpg
(bench/export_floor.py), timed by a client reading the whole response.

    python -m bench.export --contributions 100000                       # PostgreSQL (BENCH_PG_DATABASE)
    python -m bench.export --contributions 1000000 --rounds 1

The database is built with the real commands (migrations, seed) and the demo generator
(`bench.data --elsewhere`: threads with 40% replies, topics, endorsements, every publication
choice, amendments), then VACUUM ANALYZE. Each command runs `--rounds` times, one after the
other, so the figures of a round share the machine's load."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.run import (
    PG_DATABASE,
    ROOT,
    _pg,
    environment,
    free_port,
    prepare_database,
    roundtable_command,
    run_bench_module,
    run_roundtable,
    server,
)

#: Issue 12: within 2× the floor's time, under 200 MB.
TARGET_RATIO, TARGET_MB = 2.0, 200.0


def timed_export(env: dict[str, str], fmt: str, out: Path) -> dict[str, Any]:
    """One `roundtable export` in its own process: wall time and maximum RSS."""
    command = [
        "/usr/bin/time",
        "-f",
        "%e %M %U %S",
        *roundtable_command(),
        "export",
        "--format",
        fmt,
        "--out",
        str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"export {fmt} failed:\n{done.stderr.strip()}")
    seconds, kilobytes, user, system = done.stderr.strip().splitlines()[-1].split()
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return {
        "seconds": float(seconds),
        "cpu_seconds": round(float(user) + float(system), 2),
        "max_rss_mb": round(int(kilobytes) / 1024, 1),
        "bytes": out.stat().st_size,
        "sha256": digest,
    }


def cpu_of(pid: int) -> float:
    """A process's CPU time so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_floor(url: str, limit: int, pid: int) -> dict[str, Any]:
    """The floor's wall time (client side) and its server's CPU time (a steadier figure on a
    shared machine; the export's counts its start-up too)."""
    cpu, started = cpu_of(pid), time.perf_counter()
    size = 0
    with httpx.Client(timeout=600) as client, client.stream("GET", f"{url}/rows", params={"limit": limit}) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
    seconds = round(time.perf_counter() - started, 2)
    return {"seconds": seconds, "cpu_seconds": round(cpu_of(pid) - cpu, 2), "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rt-export-bench-"))
    database_url, server_version = prepare_database("postgresql", workdir)
    env = environment(database_url, workdir)
    started = time.perf_counter()
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    print(run_bench_module(env, "bench.data", "--elsewhere", str(args.contributions)), flush=True)
    print(f"built in {time.perf_counter() - started:.0f} s ({server_version})", flush=True)
    port = free_port()
    floor_url = f"http://127.0.0.1:{port}"
    floor_command = [sys.executable, "-m", "uvicorn", "bench.export_floor:app", "--port", str(port), "--no-access-log"]
    rounds: list[dict[str, Any]] = []
    try:
        with server(floor_command, env, workdir / "floor.log", f"{floor_url}/health") as floor:
            for _ in range(args.rounds):
                done: dict[str, Any] = {"floor": timed_floor(floor_url, args.contributions, floor.pid)}
                done["startup"] = startup(env)
                for fmt in ("csv", "json"):
                    done[fmt] = timed_export(env, fmt, workdir / f"export.{fmt}")
                print(json.dumps(done), flush=True)
                rounds.append(done)
    finally:
        if not args.keep:
            asyncio.run(_pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
    print(report(args.contributions, rounds))
    for fmt in ("csv", "json"):
        same = len({done[fmt]["sha256"] for done in rounds}) == 1
        print(f"{fmt}: {'the same bytes in every round' if same else 'DIFFERENT bytes between rounds'}")
    return 0


def startup(env: dict[str, str]) -> dict[str, float]:
    """What `roundtable` takes to start (imports and the site's routes), included in each export."""
    code = "import time; t = time.perf_counter(); from app.cli import install_site_routes; install_site_routes(); "
    code += "print(time.perf_counter() - t, time.process_time())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.split()
    return {"seconds": round(float(wall), 2), "cpu_seconds": round(float(cpu), 2)}


def report(contributions: int, rounds: list[dict[str, Any]]) -> str:
    lines = [f"{contributions:,} contributions, PostgreSQL: wall s, CPU s, peak RSS (MB), wall × floor, CPU × floor"]
    for number, done in enumerate(rounds, 1):
        floor, floor_cpu = done["floor"]["seconds"], done["floor"]["cpu_seconds"]
        lines.append(
            f"round {number}: floor {floor:.2f} s, CPU {floor_cpu:.2f} s ({done['floor']['bytes']:,} bytes); "
            f"the command's start alone {done['startup']['seconds']:.2f} s, CPU {done['startup']['cpu_seconds']:.2f} s"
        )
        for fmt in ("csv", "json"):
            row = done[fmt]
            ratio, cpu_ratio = row["seconds"] / floor, row["cpu_seconds"] / max(floor_cpu, 0.01)
            verdict = "met" if ratio <= TARGET_RATIO and row["max_rss_mb"] <= TARGET_MB else "NOT met"
            lines.append(
                f"  {fmt:4} {row['seconds']:7.2f} s {row['cpu_seconds']:7.2f} s {row['max_rss_mb']:7.1f} MB "
                f"{ratio:6.2f}× {cpu_ratio:6.2f}× ({row['bytes']:,} bytes): {verdict}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
