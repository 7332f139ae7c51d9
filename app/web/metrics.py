"""Prometheus metrics of requests (issue 14), through the maintained client: requests by route
and status, and their latency. Several worker processes of one machine add up through
prometheus_client's multiprocess mode (`roundtable serve` sets PROMETHEUS_MULTIPROC_DIR); each
machine is scraped on its own. /metrics itself: app.admin.web.metrics_views."""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "roundtable_http_requests",
    "HTTP requests answered, by route name, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "roundtable_http_request_duration_seconds",
    "Time from a request's arrival to its response's start, by route name",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
#: A request no route answered: one label value, not one per address tried.
UNMATCHED = "unmatched"


class MetricsMiddleware:
    """Counts each response by the name of the route that answered (a bounded set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = getattr(scope.get("route"), "name", None) or UNMATCHED
                method = scope["method"] if scope["method"] in _METHODS else "other"
                REQUESTS.labels(route, method, str(message["status"])).inc()
                LATENCY.labels(route, method).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, send_counted)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_metrics() -> bytes:
    """The request metrics of this machine: every worker's, when they run as several."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
