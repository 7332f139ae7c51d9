"""Idle memory per worker for bench/run.py: the resident set (VmRSS) of each worker process of
`roundtable serve --workers N`, after every worker has served the key message pages, once
the site is idle again. Workers are the server's children that multiprocessing spawned
(its resource tracker, also a child, is left out). Linux only (/proc)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from bench.measure import PAGE, SMALL

SETTLE_SECONDS = 2.0


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def is_worker(pid: int) -> bool:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    return b"spawn_main" in command


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def warm_up(site: str, requests: int) -> None:
    """A new connection per request, so the kernel hands them to every worker in turn."""
    for number in range(requests):
        for path in (PAGE, SMALL, f"{PAGE}?sort=endorsed", "/sign-in"):
            response = httpx.get(f"{site}{path}", headers={"Connection": "close"}, timeout=60)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code} (request {number})")


def idle_memory(server_pid: int, site: str, warmup: int) -> dict[str, object]:
    warm_up(site, warmup)
    time.sleep(SETTLE_SECONDS)
    workers = [pid for pid in children(server_pid) if is_worker(pid)]
    if not workers:
        raise RuntimeError(f"no worker processes under {server_pid}")
    sizes = [round(resident_kb(pid) / 1024, 1) for pid in workers]
    return {
        "workers": len(workers),
        "rss_mb": sizes,
        "max_rss_mb": max(sizes),
        "server_rss_mb": round(resident_kb(server_pid) / 1024, 1),
    }
