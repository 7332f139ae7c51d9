"""Negotiators marking the same contribution, and saving wordings of the same key message, at
the same moment: every request is answered cleanly, the last write is the current state, and
every change is in the history, each from the state the previous one left. Each request has
its own session and connection (the app on its own engine and database, not the shared test
transaction), so the database really sees the writes meet."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import replace
from itertools import pairwise

import httpx
from sqlalchemy import select

from app.consolidation.models import ContributionReview, ReviewChange, ReviewState, RevisedWording
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.security.roles import Role
from tests.factories import PASSWORD, key_message, make_position, make_user
from tests.support import post_form, sign_in

NEGOTIATORS = 4
ROUNDS = 4
REF = "RT2-KM1"
BASE = f"/consultations/com-2013-292/consolidation/{REF}"
STATES = ["reviewed", "reflected", "partly_reflected", "not_reflected"]


async def _setting(url: str) -> tuple[list[str], int, int]:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            negotiators = [await make_user(db, role=Role.NEGOTIATOR) for _ in range(NEGOTIATORS)]
            consultation = await consultation_by_slug(db, "com-2013-292")
            assert consultation is not None
            contribution = await make_position(db, consultation, author=await make_user(db), ref=REF)
            message_id = key_message(consultation, REF).id
            await db.commit()
            return [n.email for n in negotiators], contribution.id, message_id
    finally:
        await engine.dispose()


async def _recorded(url: str, contribution_id: int, message_id: int):  # type: ignore[no-untyped-def]
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.scalars(
                select(ContributionReview).where(ContributionReview.contribution_id == contribution_id)
            )
            changes = await db.scalars(
                select(ReviewChange).where(ReviewChange.contribution_id == contribution_id).order_by(ReviewChange.id)
            )
            versions = await db.scalars(
                select(RevisedWording.version).where(RevisedWording.key_message_id == message_id)
            )
            return list(rows.all()), list(changes.all()), sorted(versions.all())
    finally:
        await engine.dispose()


async def test_negotiators_marking_at_once_keep_every_change(own_database, settings):
    emails, contribution_id, message_id = await _setting(own_database)
    app = create_app(replace(settings, database_url=own_database))
    async with app.router.lifespan_context(app), AsyncExitStack() as stack:
        clients = []
        for email in emails:
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            )
            await sign_in(client, email, PASSWORD)
            clients.append(client)
        responses = []
        for round_number in range(ROUNDS):
            responses += await asyncio.gather(
                *(
                    post_form(
                        client,
                        f"{BASE}/contributions/{contribution_id}/review",
                        {"state": STATES[(round_number + number) % 4], "reason": f"Round {round_number}, {number}."},
                    )
                    for number, client in enumerate(clients)
                )
            )
        wordings = await asyncio.gather(
            *(
                post_form(client, f"{BASE}/wording", {"text": f"Wording by negotiator {number}.", "contributions": ""})
                for number, client in enumerate(clients)
            )
        )
    assert [r.status_code for r in responses] == [303] * NEGOTIATORS * ROUNDS, [r.text[:300] for r in responses]
    assert [r.status_code for r in wordings] == [303] * NEGOTIATORS
    [current], changes, versions = await _recorded(own_database, contribution_id, message_id)
    assert len(changes) == NEGOTIATORS * ROUNDS, "every change is kept"
    assert changes[0].from_state is ReviewState.NEW
    for earlier, later in pairwise(changes):
        assert later.from_state is earlier.to_state, "each change starts from the state the previous one left"
    assert (current.state, current.reason) == (changes[-1].to_state, changes[-1].reason), "the last write wins"
    assert versions == list(range(1, NEGOTIATORS + 1)), "every wording is a version of its own"
