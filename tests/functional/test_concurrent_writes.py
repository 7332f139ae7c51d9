"""Writes that meet: several people posting and endorsing at the same moment, against the
real site (uvicorn, two workers) on its own database, so every request has its own
connection as in production. The in-process fixture shares one connection and cannot show
this. On SQLite a write that meets another must wait for the lock, never answer 500."""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution, Endorsement
from tests.conftest import SEED_SLUG
from tests.databases import fresh_database_url
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.live import (
    ROUNDTABLE,
    Account,
    LiveServer,
    background_process,
    form_token,
    free_port,
    guard_fields,
    key_message_path,
    log_tail,
    person,
    run_command,
    site_environment,
    wait_until_answers,
)
from tests.support import field_errors

PEOPLE = 8
ROUNDS = 4
MEMBERS = 4
ENDORSEMENTS_EACH = 5
REFS = ["RT2-KM1", "RT2-KM2", "RT2-KM3", "RT2-KM4"]
#: The site's posting limit here: above what the posting test sends per person.
LIMIT = 12


@dataclass(frozen=True)
class Site:
    server: LiveServer
    people: list[Account]
    members: list[Account]
    #: Someone who posted nothing yet, to run into the posting limit.
    hasty: Account
    organisation_id: int
    #: A position no member's organisation wrote, for them to endorse.
    endorsable_id: int


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> AsyncIterator[Site]:
    tmp = tmp_path_factory.mktemp("concurrency")
    # The worker's test database plus `_concurrency`: xdist workers never share it.
    site_database_url = await fresh_database_url(database_url, "concurrency", tmp)
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", site_database_url, tmp / "uvicorn.log")
    env = site_environment(site_database_url, tmp, server.base_url)
    env.update(POSTING_LIMIT_PER_MINUTE=str(LIMIT), DUPLICATE_TEXT_WINDOW_MINUTES="10")
    await run_command(env, str(ROUNDTABLE), "db", "upgrade")
    await run_command(env, str(ROUNDTABLE), "seed")
    site = await _populate(server)
    args = [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "2", "--timeout-keep-alive", "600"]
    async with background_process(args, env=env, log_path=server.log_path) as process:
        await wait_until_answers(server.base_url + "/", process, server.log_path, "uvicorn")
        yield site


async def _populate(server: LiveServer) -> Site:
    """People speaking for themselves, members of one organisation, and a position to endorse."""
    engine = make_engine(server.database_url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            people = [await make_user(db, with_organisation=False) for _ in range(PEOPLE)]
            organisation = await make_organisation(db, name="Concurrent Coalition")
            members = [await make_user(db, organisation=organisation) for _ in range(MEMBERS)]
            hasty = await make_user(db, with_organisation=False)
            consultation = await consultation_by_slug(db, SEED_SLUG)
            assert consultation is not None
            position = await make_position(db, consultation, author=people[0], organisation_id="personal")
            await db.commit()
            return Site(
                server=server,
                people=[_account(user) for user in people],
                members=[_account(user) for user in members],
                hasty=_account(hasty),
                organisation_id=organisation.id,
                endorsable_id=position.id,
            )
    finally:
        await engine.dispose()


def _account(user: User) -> Account:
    return Account(user.email, PASSWORD, user.display_name, "participant")


async def _signed_in(stack: AsyncExitStack, site: Site, accounts: list[Account]) -> list[httpx.AsyncClient]:
    clients = []
    for account in accounts:  # one after the other: signing in is not what is tested here
        client = await stack.enter_async_context(person(site.server, account))
        client.timeout = httpx.Timeout(60)
        clients.append(client)
    return clients


async def _post_position(
    client: httpx.AsyncClient, fields: dict[str, str], ref: str, body: str, key: str
) -> httpx.Response:
    """Post as the key message page's form would, with that page's hidden `fields`."""
    data = {**fields, "position": "support", "body": body, "submission_key": key}
    return await client.post(f"{key_message_path(ref)}/contributions", data=data)


async def _saved(database_url: str, keys: list[str]) -> dict[str, int]:
    """How many contributions carry each submission key."""
    engine = make_engine(database_url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.execute(
                select(Contribution.submission_key, func.count())
                .where(Contribution.submission_key.in_(keys))
                .group_by(Contribution.submission_key)
            )
            return {key: count for key, count in rows}
    finally:
        await engine.dispose()


def _failures(responses: list[httpx.Response], accepted: set[int]) -> list[str]:
    return [f"{r.status_code}: {r.text[:200]}" for r in responses if r.status_code not in accepted]


async def test_eight_people_posting_at_once_all_get_their_contributions_saved(site: Site) -> None:
    async with AsyncExitStack() as stack:
        clients = await _signed_in(stack, site, site.people)
        pages = [guard_fields(await client.get(key_message_path(REFS[0]))) for client in clients]
        keys: list[str] = []
        responses: list[httpx.Response] = []
        for round_number in range(ROUNDS):
            sent = []
            for number, (client, fields) in enumerate(zip(clients, pages, strict=True)):
                key = secrets.token_hex(12)
                keys.append(key)
                body = f"Round {round_number}: person {number} wants this key message kept. {key}"
                sent.append(_post_position(client, fields, REFS[round_number % len(REFS)], body, key))
            responses += await asyncio.gather(*sent)
    assert not _failures(responses, {303}), log_tail(site.server.log_path)
    ids = [int(r.headers["location"].rpartition("#c")[2]) for r in responses]
    assert len(set(ids)) == len(keys) == PEOPLE * ROUNDS
    assert await _saved(site.server.database_url, keys) == dict.fromkeys(keys, 1)


async def test_twenty_simultaneous_endorsements_for_one_organisation_make_one(site: Site) -> None:
    path = f"/contributions/{site.endorsable_id}/endorse"
    async with AsyncExitStack() as stack:
        clients = await _signed_in(stack, site, site.members)
        tokens = [form_token(await client.get(path)) for client in clients]
        data = [{"csrf_token": token, "organisation_id": str(site.organisation_id)} for token in tokens]
        responses = await asyncio.gather(
            *(
                client.post(path, data=form)
                for client, form in zip(clients, data, strict=True)
                for _ in range(ENDORSEMENTS_EACH)
            )
        )
    assert len(responses) == MEMBERS * ENDORSEMENTS_EACH == 20
    # One is accepted; the others are told the organisation already endorses it.
    assert not _failures(responses, {303, 422}), log_tail(site.server.log_path)
    assert [r.status_code for r in responses].count(303) == 1
    engine = make_engine(site.server.database_url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.scalar(select(func.count()).where(Endorsement.contribution_id == site.endorsable_id))
            contribution = await db.get_one(Contribution, site.endorsable_id)
            assert rows == contribution.endorsement_count == 1
    finally:
        await engine.dispose()


async def test_the_posting_limit_is_shared_by_the_workers_and_holds_for_simultaneous_posts(site: Site) -> None:
    """Both workers count in the database; the person's posts sent at once are counted one
    after the other, so exactly the limit is accepted."""
    extra = 3
    async with AsyncExitStack() as stack:
        [client] = await _signed_in(stack, site, [site.hasty])
        fields = guard_fields(await client.get(key_message_path(REFS[0])))
        keys = [secrets.token_hex(12) for _ in range(LIMIT + extra)]
        responses = await asyncio.gather(
            *(
                _post_position(client, fields, REFS[n % len(REFS)], f"Hasty point {n}.", key)
                for n, key in enumerate(keys)
            )
        )
    statuses = [r.status_code for r in responses]
    assert sorted(set(statuses)) == [303, 422], log_tail(site.server.log_path)
    assert statuses.count(303) == LIMIT
    refused = next(r for r in responses if r.status_code == 422)
    assert f"You can publish {LIMIT} contributions a minute" in field_errors(refused)["body"]
    assert sum((await _saved(site.server.database_url, keys)).values()) == LIMIT
