"""/metrics for Prometheus (issue 14): the request metrics (app.web.metrics) and, read from
the database at each scrape, what waits (mail, jobs) and the contributions counter (its rate
is contributions a minute; the newest id, read from the primary key at no cost).

It answers only a scraper holding METRICS_TOKEN (a bearer token): a site's traffic is not for
everyone. Without the setting, /metrics does not exist (404)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.discussion.models import Contribution
from app.jobs.models import Job, JobStatus
from app.mail.models import OutgoingMail
from app.web.metrics import request_metrics
from app.web.requests import db_of


class _Figures(Collector):
    """What the database says at the scrape, handed over as already-read numbers."""

    def __init__(self, mail_waiting: int, jobs: dict[str, int], contributions: int) -> None:
        self.mail_waiting, self.jobs, self.contributions = mail_waiting, jobs, contributions

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("roundtable_mail_waiting", "Mail queued and not yet sent", value=self.mail_waiting)
        jobs = GaugeMetricFamily("roundtable_jobs", "Background jobs (exports, campaigns) by status", labels=["status"])
        for status, count in sorted(self.jobs.items()):
            jobs.add_metric([status], count)
        yield jobs
        yield CounterMetricFamily(
            "roundtable_contributions",
            "Contributions ever written (the newest id: its rate is contributions a minute)",
            value=self.contributions,
        )


async def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if not str(token):
        raise HTTPException(status_code=404)
    offered = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
    if not hmac.compare_digest(offered, str(token).encode()):
        return Response("a bearer token is needed\n", status_code=401, headers={"WWW-Authenticate": "Bearer"})
    db = db_of(request)
    mail_waiting = await db.scalar(select(func.count()).select_from(OutgoingMail).where(OutgoingMail.sent_at.is_(None)))
    jobs: dict[JobStatus, int] = {
        status: count for status, count in await db.execute(select(Job.status, func.count()).group_by(Job.status))
    }
    newest = await db.scalar(select(func.max(Contribution.id)))
    figures = _Figures(mail_waiting or 0, {status.value: jobs.get(status, 0) for status in JobStatus}, newest or 0)
    body = request_metrics() + generate_latest(_single(figures))
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _single(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(collector)
    return registry
