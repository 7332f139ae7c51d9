"""People changing their positions at the same moment, each in their own transaction on
its own connection: the counts the triggers keep end equal to a recount, and no write
fails. The risk is PostgreSQL's: person A moving from oppose to support while B moves from
support to oppose would take the same two count rows in opposite orders and deadlock, were
it not for the key message's row, which every change to its counts locks first."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker, writing
from app.discussion.contribution_write import Draft, publish_position
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.tallies import recount_tallies, tallies
from tests.conftest import SEED_SLUG, build_seeded_database
from tests.databases import fresh_database_url
from tests.factories import author_in_session, key_message, make_organisation, make_position, make_user
from tests.unit.discussion.test_position_counts import recounted_counts, stored_counts

REF = "RT2-KM1"
INDIVIDUALS = 6
ROUNDS = 4
FLIP = {"support": "oppose", "oppose": "support"}


@pytest.fixture
async def own_engine(database_url, tmp_path):  # type: ignore[no-untyped-def]
    url = await fresh_database_url(database_url, "position_counts_at_once", tmp_path)
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    yield engine
    await engine.dispose()


async def _speakers(engine) -> tuple[list[int], int]:  # type: ignore[no-untyped-def]
    """People speaking for themselves and two members of one organisation, each with a
    current position: support and oppose in turn."""
    async with make_sessionmaker(engine)() as db:
        consultation = await consultation_by_slug(db, SEED_SLUG)
        assert consultation is not None
        organisation = await make_organisation(db, name="Divided Coalition")
        people = [await make_user(db, with_organisation=False) for _ in range(INDIVIDUALS)]
        people += [await make_user(db, organisation=organisation) for _ in range(2)]
        for number, person in enumerate(people):
            await make_position(db, consultation, author=person, ref=REF, position=("support", "oppose")[number % 2])
        await db.commit()
        return [p.id for p in people], key_message(consultation, REF).id


async def _post(engine, author_id: int, position: str) -> None:  # type: ignore[no-untyped-def]
    """One person's position, as the site saves it: its own session, committed."""
    async with make_sessionmaker(writing(engine))() as db:
        consultation = await consultation_by_slug(db, SEED_SLUG)
        assert consultation is not None
        author = await author_in_session(db, author_id)
        await publish_position(
            db,
            author=author,
            consultation=consultation,
            key_message=key_message(consultation, REF),
            draft=Draft(body="We changed our mind.", submission_key=secrets.token_hex(12), position=position),
            max_chars=10_000,
        )
        await db.commit()


async def test_people_swapping_positions_at_once_keep_the_counts_right(own_engine):
    people, message_id = await _speakers(own_engine)
    positions = {person: ("support", "oppose")[number % 2] for number, person in enumerate(people)}
    for _round in range(ROUNDS):
        positions = {person: FLIP[position] for person, position in positions.items()}
        await asyncio.gather(*(_post(own_engine, person, position) for person, position in positions.items()))
    async with make_sessionmaker(own_engine)() as db:
        assert await stored_counts(db, [message_id]) == await recounted_counts(db, [message_id])
        assert await tallies(db, [message_id]) == await recount_tallies(db, [message_id])
        # Six people and one organisation (whose members disagreed: the later one stands), once each.
        assert (await tallies(db, [message_id]))[message_id].total == INDIVIDUALS + 1


async def _position_of(db: AsyncSession, author_id: int) -> int:
    found = await db.scalar(
        select(Contribution.id).where(
            Contribution.author_id == author_id,
            Contribution.parent_id.is_(None),
            Contribution.superseded_by_id.is_(None),
        )
    )
    assert found is not None
    return found


async def _waits_for_a_lock(observer: AsyncSession, pid: int) -> bool:
    found = await observer.scalar(
        text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
    )
    await observer.commit()  # a fresh snapshot of pg_stat_activity next time
    return bool(found)


async def _move(db: AsyncSession, contribution_id: int, position: str) -> None:
    """Step one took the position out of the counts; step two brings it back, changed."""
    await db.execute(
        update(Contribution)
        .where(Contribution.id == contribution_id)
        .values(status=ContributionStatus.VISIBLE, position=position)
    )
    await db.commit()


@pytest.mark.database("postgresql")  # SQLite writers never overlap: each holds the database's write lock
async def test_opposite_moves_interleaved_statement_by_statement_do_not_deadlock(own_engine):
    """A leaves oppose, then B leaves support; A joins support, B joins oppose. Without a
    common first lock A would wait for B's support row while B waits for A's oppose row."""
    people, message_id = await _speakers(own_engine)
    sessions = make_sessionmaker(own_engine)
    async with sessions() as first, sessions() as second, sessions() as observer:
        a, b = await _position_of(first, people[1]), await _position_of(second, people[0])  # oppose, support
        second_pid = await second.scalar(text("SELECT pg_backend_pid()"))
        withdrawn = {"status": ContributionStatus.WITHDRAWN}
        await first.execute(update(Contribution).where(Contribution.id == a).values(**withdrawn))
        leaving = asyncio.create_task(
            second.execute(update(Contribution).where(Contribution.id == b).values(**withdrawn))
        )
        # Until B's first step is done or waits for A: polled, as another connection sets no Event.
        async with asyncio.timeout(30):
            while not leaving.done() and not await _waits_for_a_lock(observer, second_pid):  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        async def then_b() -> None:
            await leaving
            await _move(second, b, "oppose")

        await asyncio.gather(_move(first, a, "support"), then_b())
    async with sessions() as db:
        assert await stored_counts(db, [message_id]) == await recounted_counts(db, [message_id])
        assert dict((await tallies(db, [message_id]))[message_id].by_position) == {"support": 3, "oppose": 4}
