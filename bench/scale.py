"""The figures issue 10 sets targets for, from bench/run.py's measurements: the large
discussion's first page at each database size (stored, right after a reply and after a
position, the floor),
the readers' latency in a surge, and idle memory per worker. Plain functions on the
results' dictionaries: what is compared, and how it is printed."""

from __future__ import annotations

from typing import Any

#: The page after a write (a reply, a position) within 2× the stored one and the floor, at
#: every scale; the
#: readers' median in a surge within 2× that of the same readers with nothing written.
TARGET_AFTER_WRITE, TARGET_SURGE = 2.0, 2.0
TARGET_WORKER_MB = 100.0


def _median(row: dict[str, Any]) -> float:
    return float(row["median_ms"])


def targets(
    by_scale: dict[str, dict[str, Any]], surge: dict[str, Any] | None, memory: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """One line per target: what, the figure, the limit, met or not."""
    lines = []
    for scale, rows in by_scale.items():
        for write, row in (("reply", "page_after_write"), ("position", "page_after_position")):
            after = _median(rows[row])
            for name, key in (("stored page", "page_stored"), ("bare floor", "bare_json")):
                ratio = after / _median(rows[key])
                lines.append(_line(f"after a {write} / {name}, {int(scale):,} elsewhere", ratio, TARGET_AFTER_WRITE))
    if surge is not None:
        ratio = surge["posting"]["median_ms"] / surge["quiet"]["median_ms"]
        lines.append(_line("surge: readers' median, posting / quiet", ratio, TARGET_SURGE))
    if memory is not None:
        lines.append(_line("idle memory per worker, largest (MB)", memory["max_rss_mb"], TARGET_WORKER_MB))
    return lines


def _line(what: str, value: float, limit: float) -> dict[str, Any]:
    return {"target": what, "value": round(value, 2), "limit": limit, "met": value <= limit}


def report(run: dict[str, Any]) -> str:
    lines = [
        "",
        f"The large discussion ({run['contributions']:,} on RT2-KM3) as the database grows: medians in ms",
        f"{'elsewhere':>10} {'in all':>10} {'stored':>8} {'after a reply':>14} {'after a position':>17} "
        f"{'bare':>7} {'reply/stored':>13} {'position/stored':>16} {'home page':>10}",
    ]
    for scale, rows in run["scales"].items():
        keys = ("page_stored", "page_after_write", "page_after_position", "bare_json")
        stored, reply, position, bare = (_median(rows[k]) if k in rows else float("nan") for k in keys)
        lines.append(
            f"{int(scale):>10,} {rows['contributions_in_database']:>10,} {stored:8.2f} {reply:14.2f} {position:17.2f} "
            f"{bare:7.2f} {reply / stored:12.2f}× {position / stored:15.2f}× {_median(rows['home']):10.1f}"
        )
    if run.get("surge"):
        quiet, posting = run["surge"]["quiet"], run["surge"]["posting"]
        lines += [
            "",
            f"Surge at the last scale: {run['readers']} readers on the large page for {run['surge_seconds']:.0f} s, "
            "then as long again while a member posts a position a second",
            f"{'':22} {'median ms':>10} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}",
        ]
        for label, row in (("readers, quiet", quiet), ("readers, posting", posting)):
            lines.append(
                f"{label:22} {row['median_ms']:10.2f} {row['p90_ms']:8.2f} {row['p99_ms']:8.2f} {row['max_ms']:8.2f} "
                f"{row['per_second']:7.1f}"
            )
        lines.append(f"{posting['posts']} posts, median {posting['post_median_ms']:.1f} ms")
    if run.get("memory"):
        memory = run["memory"]
        sizes = ", ".join(f"{size:.1f}" for size in memory["rss_mb"])
        lines += [
            "",
            f"Idle memory (VmRSS) of {memory['workers']} workers: {sizes} MB; "
            f"their supervisor {memory['server_rss_mb']:.1f} MB",
        ]
    lines += ["", "Targets of issue 10:"]
    for line in run["issue10_targets"]:
        verdict = "met" if line["met"] else "NOT met"
        lines.append(f"  {line['target']:58} {line['value']:8.2f} (≤ {line['limit']:g}): {verdict}")
    return "\n".join(lines)
