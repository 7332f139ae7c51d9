"""Benchmark of the negotiators' workspace (issue 12): its pages over a consultation of
`--contributions` contributions, next to the bare floor, one request at a time.

    python bench/consolidation.py --database postgresql --contributions 100000
    BENCH_PG_DATABASE=roundtable_workspace_bench python bench/consolidation.py

It builds a fresh database with the real commands (migrations, seed, a negotiator with
two-factor), contributions on every key message (bench.data --elsewhere, amendments
included), quotes (bench.consolidation_data), starts the site and the floor, signs the
negotiator in through the real forms and times each row. Results go to
bench/results/<time>-consolidation-<database>.json."""

from __future__ import annotations

import argparse
import json
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
from bench.queue import token_of  # noqa: E402 - needs the path above
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

EMAIL, PASSWORD, SECRET = "bench-negotiator@example.org", "bench negotiator password", pyotp.random_base32()
WORKSPACE = "/consultations/com-2013-292/consolidation"
ROWS = {
    "workspace, whole consultation": WORKSPACE,
    "workspace, whole consultation, by origin": f"{WORKSPACE}?view=origin",
    "workspace, one roundtable (amendments grouped)": f"{WORKSPACE}?roundtable=RT2",
    "workspace, one roundtable, civil society, by region": f"{WORKSPACE}?roundtable=RT2&type=civil_society&view=region",
    "workspace, one key message's page": f"{WORKSPACE}/RT2-KM4",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database and the server logs")
    return parser.parse_args()


def build(env: dict[str, str], contributions: int) -> list[str]:
    run_roundtable(env, "db", "upgrade")
    run_roundtable(env, "seed")
    run_roundtable(
        env, "users", "create", "--email", EMAIL, "--password", PASSWORD, "--name", "Bench Negotiator",
        "--role", "negotiator", "--totp-secret", SECRET,
    )  # fmt: skip
    return [
        run_bench_module(env, "bench.data", "--elsewhere", str(contributions)),
        run_bench_module(env, "bench.consolidation_data"),
    ]


def sign_in_negotiator(client: httpx.Client) -> None:
    token = token_of(client.get("/sign-in"))
    response = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": ""})
    if response.headers.get("location") == "/sign-in/two-factor":
        token = token_of(client.get("/sign-in/two-factor"))
        response = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(SECRET).now(), "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"the negotiator could not sign in: {response.status_code} {response.text[:300]}")


def measure(site: str, bare: str, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with httpx.Client(base_url=site, timeout=120) as client:
        sign_in_negotiator(client)
        for name, url in ROWS.items():
            first = client.get(url)
            if first.status_code != 200:
                raise RuntimeError(f"{url}: {first.status_code}")
            samples = timed(lambda _n, url=url: client.get(url), 200, args.requests, args.warmup)
            results[name] = summary(samples, len(first.content)) | {"url": url}
    with httpx.Client(base_url=bare, timeout=30) as client:
        results["bare JSON, 500 items (the floor)"] = summary(
            timed(lambda _n: client.get("/comments"), 200, args.requests, args.warmup)
        )
    return results


def report(run: dict[str, Any]) -> str:
    floor = run["results"]["bare JSON, 500 items (the floor)"]["median_ms"]
    lines = [f"Consolidation workspace, {run['contributions']:,} contributions ({run['database']}, {run['git']})", ""]
    lines.append(f"{'row':52} {'median':>8} {'p90':>8} {'× floor':>8} {'KB':>6}")
    for name, row in run["results"].items():
        size = f"{row['bytes'] / 1024:.0f}" if row.get("bytes") else ""
        lines.append(
            f"{name:52} {row['median_ms']:8.2f} {row['p90_ms']:8.2f} {row['median_ms'] / floor:8.2f} {size:>6}"
        )
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir, finished = Path(tempfile.mkdtemp(prefix="roundtable-consolidation-bench-")), False
    try:
        database_url, database_version = prepare_database(args.database, workdir)
        env = environment(database_url, workdir)
        generated = build(env, args.contributions)
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
            "contributions": args.contributions,
            "git": git_commit(),
            "data": generated,
            "results": results,
        }
        print(report(run))
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-consolidation-{args.database}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
        finished = True
        return 0
    finally:
        clean_up(workdir, args, keep=args.keep or not finished)


if __name__ == "__main__":
    sys.exit(main())
