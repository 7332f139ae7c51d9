"""Campaigns of near-identical contributions, for moderators: the list of a consultation's
campaigns, the status of its recomputation (a fragment that polls itself while the job
runs), starting one, and the members of one campaign."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consultation.models import Consultation
from app.consultation.services import consultation_by_slug
from app.discussion.campaigns import (
    CampaignsPage,
    MembersPage,
    campaigns_job,
    campaigns_page,
    members_page,
    request_recomputation,
)
from app.discussion.publication import audience_of
from app.i18n import _
from app.jobs.models import Job
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of
from app.web.responses import see_other

#: How often the status fragment asks again while the job waits or runs.
POLL_SECONDS = 2


@dataclass(frozen=True)
class CampaignsContext:
    consultation: Consultation
    job: Job | None
    page: CampaignsPage | None
    poll_seconds: int = POLL_SECONDS


async def _consultation(request: Request) -> Consultation:
    require(identity_of(request), Permission.MODERATE)
    consultation = await consultation_by_slug(db_of(request), request.path_params["slug"])
    if consultation is None:
        raise HTTPException(status_code=404)
    return consultation


async def campaigns(request: Request) -> Response:
    consultation = await _consultation(request)
    db, audience = db_of(request), audience_of(identity_of(request))
    page = await campaigns_page(db, consultation.id, audience, cursor=request.query_params.get("after"))
    job = await campaigns_job(db, consultation.id)
    return render(request, "moderation/campaigns.html", CampaignsContext(consultation, job, page))


async def campaigns_status(request: Request) -> Response:
    """The recomputation's status: the fragment alone for htmx, else a small page of it."""
    consultation = await _consultation(request)
    job = await campaigns_job(db_of(request), consultation.id)
    context = CampaignsContext(consultation, job, None)
    return render(request, "moderation/campaigns_status.html", context, block="job_status")


async def recompute(request: Request) -> Response:
    """Queue a recomputation (or find the one queued); a worker runs it in the background."""
    consultation = await _consultation(request)
    db = db_of(request)
    await request_recomputation(db, consultation.id, signed_in_user(request).id)
    await db.commit()
    response = see_other(path_for("campaigns", slug=consultation.slug))
    flash(request, response, _("Recomputation queued: this page shows its progress."))
    return response


@dataclass(frozen=True)
class CampaignContext:
    consultation: Consultation
    page: MembersPage


async def campaign(request: Request) -> Response:
    """One campaign's members, in keyset pages."""
    require(identity_of(request), Permission.MODERATE)
    db = db_of(request)
    after = parse_id(request.query_params.get("after", ""))
    page = await members_page(db, request.path_params["campaign_id"], audience_of(identity_of(request)), after=after)
    if page is None:
        raise HTTPException(status_code=404)
    consultation = await db.get(Consultation, page.campaign.consultation_id)
    assert consultation is not None  # a campaign goes with its consultation (foreign key)
    return render(request, "moderation/campaign.html", CampaignContext(consultation, page))
