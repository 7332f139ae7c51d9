"""Members of one organisation posting positions on one key message at the same moment:
every post is saved and answered cleanly, and exactly one stays current. Each request has
its own session and connection (the app on its own engine and database, not the shared
test transaction), so the database really sees the writes meet; on PostgreSQL under read
committed the later writer meets the unique index and tries again."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
from sqlalchemy import select

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution
from app.main import create_app
from tests.factories import PASSWORD, key_message, make_organisation, make_user
from tests.support import post_form, sign_in

MEMBERS = 4
ROUNDS = 5
REF = "RT2-KM1"
PATH = f"/consultations/com-2013-292/messages/{REF}/contributions"


async def _members(url: str) -> tuple[list[str], int]:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            organisation = await make_organisation(db, name="Simultaneous Coalition")
            members = [await make_user(db, organisation=organisation) for _ in range(MEMBERS)]
            consultation = await consultation_by_slug(db, "com-2013-292")
            assert consultation is not None
            message_id = key_message(consultation, REF).id
            await db.commit()
            return [m.email for m in members], message_id
    finally:
        await engine.dispose()


async def _positions(url: str, message_id: int) -> list[tuple[int, int | None]]:
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.execute(
                select(Contribution.id, Contribution.superseded_by_id)
                .where(Contribution.key_message_id == message_id, Contribution.parent_id.is_(None))
                .order_by(Contribution.id)
            )
            return [(identifier, superseded_by) for identifier, superseded_by in rows]
    finally:
        await engine.dispose()


async def test_members_posting_at_once_end_with_one_current_position(own_database, settings):
    emails, message_id = await _members(own_database)
    app = create_app(replace(settings, database_url=own_database))
    async with app.router.lifespan_context(app), AsyncExitStack() as stack:
        clients = []
        for email in emails:
            transport = httpx.ASGITransport(app=app)
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
            await sign_in(client, email, PASSWORD)
            clients.append(client)
        responses = []
        for round_number in range(ROUNDS):
            responses += await asyncio.gather(
                *(
                    post_form(
                        client,
                        PATH,
                        {
                            "position": ("support", "oppose")[number % 2],
                            "body": f"Round {round_number}, member {number}.",
                            "submission_key": secrets.token_hex(12),
                        },
                    )
                    for number, client in enumerate(clients)
                )
            )
        # The same form sent twice at once (a double click) still publishes once.
        twice = {"position": "support", "body": "Sent twice.", "submission_key": secrets.token_hex(12)}
        doubled = await asyncio.gather(*(post_form(client, PATH, twice) for client in (clients[0], clients[0])))
    assert [r.status_code for r in responses] == [303] * MEMBERS * ROUNDS, [r.text[:300] for r in responses]
    assert [r.status_code for r in doubled] == [303, 303]
    assert doubled[0].headers["location"] == doubled[1].headers["location"]
    positions = await _positions(own_database, message_id)
    assert len(positions) == MEMBERS * ROUNDS + 1, "every post is saved, once"
    current = [identifier for identifier, superseded_by in positions if superseded_by is None]
    assert len(current) == 1
    assert {superseded_by for identifier, superseded_by in positions if identifier != current[0]} == set(current)
