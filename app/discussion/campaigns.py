"""Campaigns: contributions of one consultation whose texts are near-identical, grouped by a
background job (app.jobs) so moderators can read them together and readers see that a text
was sent by many.

A recomputation reads the texts of the consultation's visible and hidden contributions,
groups them in a worker thread (app.discussion.near_duplicates), then replaces the
consultation's campaigns in one transaction. A campaign whose members did not change keeps
its row and its members are not written; every member whose campaign changed is updated,
which moves its thread's version (the triggers of migration e7a4c1f9d263), and the
consultation's key messages get a new discussion version (as a moderation decision does):
no stored fragment shows an old campaign note (docs/decisions/0016)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anyio import to_thread
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage
from app.db import utcnow
from app.discussion import near_duplicates
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Campaign, Contribution, ContributionStatus
from app.discussion.near_duplicates import Group
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import Audience
from app.jobs.models import Job
from app.jobs.queue import enqueue, latest_job
from app.jobs.worker import JobRun

#: The job kind a worker runs recompute_campaigns for.
CAMPAIGNS_JOB = "campaigns"
#: Contributions whose text is grouped: a withdrawn one says nothing any more.
GROUPED = (ContributionStatus.VISIBLE, ContributionStatus.HIDDEN)
#: Ids per UPDATE … WHERE id IN (…): well under SQLite's limit of bound parameters.
CHUNK = 1000
#: Campaigns per page of the list, and members per page of a campaign.
CAMPAIGNS_PER_PAGE = 20
MEMBERS_PER_PAGE = 50


def job_key(consultation_id: int) -> str:
    return f"{CAMPAIGNS_JOB}:{consultation_id}"


async def request_recomputation(db: AsyncSession, consultation_id: int, requested_by_id: int | None) -> Job:
    """Queue a recomputation of the consultation's campaigns, or return the one already
    queued or running: asking twice starts it once."""
    return await enqueue(
        db,
        CAMPAIGNS_JOB,
        {"consultation_id": consultation_id},
        unique_key=job_key(consultation_id),
        requested_by_id=requested_by_id,
    )


async def campaigns_job(db: AsyncSession, consultation_id: int) -> Job | None:
    """The consultation's latest recomputation, for its status."""
    return await latest_job(db, job_key(consultation_id))


async def texts_of(db: AsyncSession, consultation_id: int) -> list[tuple[int, str]]:
    """(id, Markdown source) of the consultation's grouped contributions, in id order."""
    rows = await db.execute(
        select(Contribution.id, Contribution.body_source)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .where(KeyMessage.consultation_id == consultation_id, Contribution.status.in_(GROUPED))
        .order_by(Contribution.id)
    )
    return [(identifier, text) for identifier, text in rows]


async def recompute_campaigns(run: JobRun) -> dict[str, Any]:
    """The job's handler: read, group in a worker thread, save; returns what it found."""
    consultation_id = int(run.params["consultation_id"])
    async with run.sessions() as db:
        texts = await texts_of(db, consultation_id)
    await run.report(0.05)
    groups = await to_thread.run_sync(near_duplicates.near_duplicate_groups, texts, _scaled(run.reporter(), 0.05, 0.9))
    async with run.writing_sessions() as db:
        changed = await save_campaigns(db, consultation_id, groups)
        await db.commit()
    return {
        "contributions": len(texts),
        "campaigns": len(groups),
        "grouped": sum(len(group.ids) for group in groups),
        "changed": changed,
    }


def _scaled(report: Callable[[float], None], start: float, end: float) -> Callable[[float], None]:
    return lambda share: report(start + (end - start) * share)


async def save_campaigns(db: AsyncSession, consultation_id: int, groups: Sequence[Group]) -> int:
    """Make `groups` the consultation's campaigns; returns how many campaigns are new or gone."""
    before = await _members_by_campaign(db, consultation_id)
    unchanged = {members: campaign_id for campaign_id, members in before.items()}
    kept: set[int] = set()
    now = utcnow()
    created = 0
    for group in groups:
        same = unchanged.get(frozenset(group.ids))
        if same is not None:
            kept.add(same)
            continue
        campaign = Campaign(
            consultation_id=consultation_id,
            size=len(group.ids),
            representative_id=group.representative,
            computed_at=now,
        )
        db.add(campaign)
        await db.flush()
        await _assign(db, group.ids, campaign.id)
        created += 1
    gone = [campaign_id for campaign_id in before if campaign_id not in kept]
    for start in range(0, len(gone), CHUNK):
        chunk = gone[start : start + CHUNK]
        await db.execute(
            update(Contribution)
            .where(Contribution.campaign_id.in_(chunk))
            .values(campaign_id=None)
            .execution_options(synchronize_session=False)
        )
        await db.execute(delete(Campaign).where(Campaign.id.in_(chunk)))
    if kept:
        await db.execute(update(Campaign).where(Campaign.id.in_(kept)).values(computed_at=now))
    if created or gone:
        for key_message_id in await db.scalars(
            select(KeyMessage.id).where(KeyMessage.consultation_id == consultation_id).order_by(KeyMessage.id)
        ):
            await mark_discussion_changed(db, key_message_id)
    return created + len(gone)


async def _members_by_campaign(db: AsyncSession, consultation_id: int) -> dict[int, frozenset[int]]:
    """Each campaign of the consultation with its members (none, if they were all withdrawn)."""
    members: dict[int, set[int]] = {
        campaign_id: set()
        for campaign_id in await db.scalars(select(Campaign.id).where(Campaign.consultation_id == consultation_id))
    }
    rows = await db.execute(
        select(Campaign.id, Contribution.id)
        .join(Contribution, Contribution.campaign_id == Campaign.id)
        .where(Campaign.consultation_id == consultation_id)
    )
    for campaign_id, contribution_id in rows:
        members[campaign_id].add(contribution_id)
    return {campaign_id: frozenset(ids) for campaign_id, ids in members.items()}


async def _assign(db: AsyncSession, ids: Sequence[int], campaign_id: int) -> None:
    for start in range(0, len(ids), CHUNK):
        await db.execute(
            update(Contribution)
            .where(Contribution.id.in_(ids[start : start + CHUNK]))
            .values(campaign_id=campaign_id)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign as the moderators' list shows it."""

    id: int
    size: int
    computed_at: datetime
    #: Its representative text as the moderator may see it (None once it was deleted).
    representative: ContributionView | None


@dataclass(frozen=True)
class CampaignsPage:
    campaigns: list[CampaignSummary]
    #: The cursor of the next page ("<size>.<id>"), None on the last.
    next_cursor: str | None


def _cursor(value: str | None) -> tuple[int, int] | None:
    """A cursor "<size>.<id>" as numbers, or None when it is not one (then the first page)."""
    size, _, identifier = (value or "").partition(".")
    if not (size.isascii() and size.isdigit() and identifier.isascii() and identifier.isdigit()):
        return None
    if len(size) > 9 or len(identifier) > 9:
        return None
    return int(size), int(identifier)


async def campaigns_page(
    db: AsyncSession, consultation_id: int, audience: Audience, *, cursor: str | None = None
) -> CampaignsPage:
    """The consultation's campaigns, largest first, a keyset page at a time."""
    query = select(Campaign).where(Campaign.consultation_id == consultation_id)
    after = _cursor(cursor)
    if after is not None:
        size, identifier = after
        query = query.where((Campaign.size < size) | ((Campaign.size == size) & (Campaign.id > identifier)))
    found = list(await db.scalars(query.order_by(Campaign.size.desc(), Campaign.id).limit(CAMPAIGNS_PER_PAGE + 1)))
    shown = found[:CAMPAIGNS_PER_PAGE]
    representatives = await _views(db, [campaign.representative_id for campaign in shown], audience)
    summaries = [CampaignSummary(c.id, c.size, c.computed_at, representatives.get(c.representative_id)) for c in shown]
    last = shown[-1] if len(found) > CAMPAIGNS_PER_PAGE else None
    return CampaignsPage(summaries, f"{last.size}.{last.id}" if last else None)


async def _views(db: AsyncSession, ids: list[int], audience: Audience) -> dict[int, ContributionView]:
    if not ids:
        return {}
    rows = await db.execute(listing(audience).where(Contribution.id.in_(ids)))
    return {view.id: view for view in (to_view(row, audience) for row in rows)}


@dataclass(frozen=True)
class MembersPage:
    campaign: Campaign
    members: list[ContributionView]
    #: The id after which the next page starts, None on the last.
    next_after: int | None


async def members_page(
    db: AsyncSession, campaign_id: int, audience: Audience, *, after: int | None = None
) -> MembersPage | None:
    """A campaign's members in id order, a keyset page at a time; None if there is no such campaign."""
    campaign = await db.get(Campaign, campaign_id)
    if campaign is None:
        return None
    query = listing(audience).where(Contribution.campaign_id == campaign_id)
    if after is not None:
        query = query.where(Contribution.id > after)
    rows = (await db.execute(query.order_by(Contribution.id).limit(MEMBERS_PER_PAGE + 1))).all()
    members = [to_view(row, audience) for row in rows[:MEMBERS_PER_PAGE]]
    return MembersPage(campaign, members, members[-1].id if len(rows) > MEMBERS_PER_PAGE else None)
