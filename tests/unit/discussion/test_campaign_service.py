"""Campaigns saved, kept and replaced (app.discussion.campaigns): members point at their
campaign, an unchanged campaign is left alone, every change moves what invalidates stored
fragments, and the moderators' pages read campaigns and members in keyset pages."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage
from app.discussion import campaigns as campaigns_module
from app.discussion.campaigns import (
    CAMPAIGNS_JOB,
    campaigns_job,
    campaigns_page,
    members_page,
    recompute_campaigns,
    request_recomputation,
    save_campaigns,
    texts_of,
)
from app.discussion.models import Campaign, Contribution, ContributionStatus
from app.discussion.near_duplicates import Group
from app.discussion.publication import Audience
from app.discussion.thread_versions import ThreadVersion
from app.jobs.models import JobStatus
from app.jobs.worker import run_one
from tests.conftest import _sessionmaker
from tests.factories import make_position, make_reply, make_user
from tests.unit.discussion.test_near_duplicates import TEMPLATE, edited

MODERATORS = Audience(see_unpublished=True, see_withheld_names=True)


async def _replies(db: AsyncSession, consultation: Consultation, bodies: list[str]) -> list[Contribution]:
    """Replies under one position, one per body: one author may write them all."""
    author = await make_user(db, with_organisation=False)
    root = await make_position(db, consultation, author=author, body="Where the replies go.")
    return [await make_reply(db, author=author, parent=root, body=body) for body in bodies]


async def _version(db: AsyncSession, root_id: int) -> int:
    return await db.scalar(select(ThreadVersion.version).where(ThreadVersion.root_id == root_id)) or 0


async def _discussion_version(db: AsyncSession, key_message_id: int) -> int:
    version = await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == key_message_id))
    assert version is not None
    return version


async def _campaign_of(db: AsyncSession, contribution_id: int) -> int | None:
    return await db.scalar(select(Contribution.campaign_id).where(Contribution.id == contribution_id))


async def test_saving_campaigns_assigns_members_and_moves_what_stored_pages_depend_on(db, consultation) -> None:  # type: ignore[no-untyped-def]
    replies = await _replies(db, consultation, [f"Reply {n}" for n in range(5)])
    ids = [reply.id for reply in replies]
    root_id, key_message_id = replies[0].thread_root_id, replies[0].key_message_id
    assert root_id is not None
    thread, discussion = await _version(db, root_id), await _discussion_version(db, key_message_id)

    assert await save_campaigns(db, consultation.id, [Group(tuple(ids[:4]))]) == 1
    campaign = await db.scalar(select(Campaign).where(Campaign.consultation_id == consultation.id))
    assert campaign is not None and campaign.size == 4 and campaign.representative_id == ids[0]
    assert [await _campaign_of(db, i) for i in ids] == [campaign.id] * 4 + [None]
    assert await _version(db, root_id) > thread and await _discussion_version(db, key_message_id) > discussion

    # The same members again: nothing is written, nothing stored goes stale.
    thread, discussion = await _version(db, root_id), await _discussion_version(db, key_message_id)
    assert await save_campaigns(db, consultation.id, [Group(tuple(ids[:4]))]) == 0
    assert await _campaign_of(db, ids[0]) == campaign.id
    assert (await _version(db, root_id), await _discussion_version(db, key_message_id)) == (thread, discussion)

    # Other members: a new campaign, the one left out released, the old campaign gone.
    assert await save_campaigns(db, consultation.id, [Group(tuple(ids[1:]))]) == 2
    assert await db.get(Campaign, campaign.id, populate_existing=True) is None
    assert await _campaign_of(db, ids[0]) is None
    assert len({await _campaign_of(db, i) for i in ids[1:]}) == 1
    assert await _version(db, root_id) > thread and await _discussion_version(db, key_message_id) > discussion

    assert await save_campaigns(db, consultation.id, []) == 1
    assert [await _campaign_of(db, i) for i in ids] == [None] * 5
    assert await db.scalar(select(Campaign.id).where(Campaign.consultation_id == consultation.id)) is None


async def test_withdrawn_contributions_are_not_grouped(db, consultation) -> None:  # type: ignore[no-untyped-def]
    replies = await _replies(db, consultation, ["kept", "gone"])
    replies[1].status = ContributionStatus.WITHDRAWN
    await db.flush()
    texts = dict(await texts_of(db, consultation.id))
    assert replies[0].id in texts and replies[1].id not in texts


async def test_the_job_groups_thirty_near_identical_replies_into_one_campaign(db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    replies = await _replies(db, consultation, [edited(TEMPLATE, rng) for _ in range(30)])
    moderator = await make_user(db)
    job = await request_recomputation(db, consultation.id, moderator.id)
    assert (await request_recomputation(db, consultation.id, moderator.id)).id == job.id
    await db.commit()
    sessions = _sessionmaker(connection)
    assert await run_one(sessions, sessions, {CAMPAIGNS_JOB: recompute_campaigns})
    finished = await campaigns_job(db, consultation.id)
    assert finished is not None and finished.id == job.id and finished.status is JobStatus.DONE
    assert finished.result is not None and finished.result["campaigns"] == 1 and finished.result["grouped"] == 30
    page = await campaigns_page(db, consultation.id, MODERATORS)
    assert [(c.size, c.representative.id if c.representative else None) for c in page.campaigns] == [
        (30, replies[0].id)
    ]


async def test_campaigns_and_members_are_read_in_keyset_pages(db, consultation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    replies = await _replies(db, consultation, [f"Reply {n}" for n in range(7)])
    ids = [reply.id for reply in replies]
    await save_campaigns(db, consultation.id, [Group(tuple(ids[:4])), Group(tuple(ids[4:]))])
    monkeypatch.setattr(campaigns_module, "CAMPAIGNS_PER_PAGE", 1)
    monkeypatch.setattr(campaigns_module, "MEMBERS_PER_PAGE", 3)
    first = await campaigns_page(db, consultation.id, MODERATORS)
    assert [c.size for c in first.campaigns] == [4] and first.next_cursor is not None
    second = await campaigns_page(db, consultation.id, MODERATORS, cursor=first.next_cursor)
    assert [c.size for c in second.campaigns] == [3] and second.next_cursor is None
    for hostile in ("", "x.y", "9" * 40 + ".1", "-1.-1", "١.١", "4.", None):
        assert [c.size for c in (await campaigns_page(db, consultation.id, MODERATORS, cursor=hostile)).campaigns] == [
            4
        ]

    big = first.campaigns[0].id
    page = await members_page(db, big, MODERATORS)
    assert page is not None and [m.id for m in page.members] == ids[:3] and page.next_after == ids[2]
    rest = await members_page(db, big, MODERATORS, after=page.next_after)
    assert rest is not None and [m.id for m in rest.members] == ids[3:4] and rest.next_after is None
    assert await members_page(db, 999_999, MODERATORS) is None


@pytest.mark.parametrize("status", [ContributionStatus.HIDDEN, ContributionStatus.VISIBLE])
async def test_members_show_their_campaign_to_readers(db, consultation, status) -> None:  # type: ignore[no-untyped-def]
    from app.discussion.presenters import view_of
    from app.discussion.publication import PUBLIC

    replies = await _replies(db, consultation, ["a", "b", "c"])
    replies[0].status = status
    await db.flush()
    await save_campaigns(db, consultation.id, [Group(tuple(r.id for r in replies))])
    view = await view_of(db, replies[1].id, PUBLIC)
    assert view is not None and view.campaign_size == 3 and view.campaign_id is not None
