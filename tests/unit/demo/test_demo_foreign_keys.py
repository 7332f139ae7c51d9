"""The demo generator's COPY has its foreign keys checked once per key instead of once per
row (PostgreSQL, as a superuser): rows that name no row are still refused and none of them
stays, the per-row checks are on again afterwards, the rows named in other tables are
locked as the per-row checks lock them, and the data written is the same."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, cast

import asyncpg
import pytest
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.accounts.models import User
from app.db import make_engine, utcnow
from app.demo import bulk
from app.demo.bulk import insert_rows, reserve_ids
from app.demo.contributions import COLUMNS
from app.demo.foreign_keys import HOLD_RETRY_SECONDS, MissingReference, hold_for_loads, keys_checked_per_row
from app.demo.generator import LOADED, generate_demo_data
from app.discussion.models import Contribution, ContributionStatus, ContributionTopic, PublicationConsent
from tests.factories import key_message, make_position, make_user

CONTRIBUTIONS = cast(Table, Contribution.__table__)
TAGS = cast(Table, ContributionTopic.__table__)
REFUSED = (MissingReference, asyncpg.ForeignKeyViolationError, sqlite3.IntegrityError)


def on_postgresql(db) -> bool:
    return db.bind.dialect.name == "postgresql"


async def switched_off(db) -> list[str]:
    """Foreign-key triggers left disabled on the tables the generator loads."""
    query = text(
        "SELECT tgname FROM pg_trigger WHERE tgisinternal AND tgenabled <> 'O'"
        " AND tgrelid IN ('contributions'::regclass, 'contribution_topics'::regclass, 'endorsements'::regclass)"
    )
    return list(await db.scalars(query))


async def test_a_superuser_on_postgresql_checks_every_single_column_key_at_once(db, consultation):
    columns = {key.column for key in await keys_checked_per_row(db, CONTRIBUTIONS, COLUMNS)}
    if on_postgresql(db):  # the tests connect as the cluster's superuser
        assert columns == {
            "key_message_id",
            "author_id",
            "organisation_id",
            "parent_id",
            "thread_root_id",
            "superseded_by_id",
        }
    else:
        assert columns == set()


@pytest.mark.database("postgresql")  # PostgreSQL's checks
async def test_keys_not_sent_or_behind_a_trigger_that_may_change_rows_stay_checked_per_row(db, consultation):
    """What is looked up is what was sent: a column left to its default, or a row a BEFORE
    INSERT trigger may change after it was sent, would escape the check."""
    assert [key.column for key in await keys_checked_per_row(db, TAGS, ["topic_id"])] == ["topic_id"]
    unchanged = "CREATE FUNCTION pg_temp.unchanged() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'"
    await db.execute(text(unchanged))
    trigger = "CREATE TRIGGER unchanged BEFORE INSERT ON contribution_topics FOR EACH ROW"
    await db.execute(text(f"{trigger} EXECUTE FUNCTION pg_temp.unchanged()"))
    assert await keys_checked_per_row(db, TAGS, ["contribution_id", "topic_id"]) == []


@pytest.mark.parametrize("names_no", ["contribution", "topic"])
async def test_tags_that_name_no_row_are_refused_and_none_stays(db, consultation, names_no):
    position = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
    topic_id = consultation.topics[0].id
    wrong = (position.id + 1000, topic_id) if names_no == "contribution" else (position.id, topic_id + 1000)
    with pytest.raises(REFUSED):
        await insert_rows(db, TAGS, ("contribution_id", "topic_id"), [wrong], keys_at_once=True)
    if on_postgresql(db):  # the whole COPY rolled back, checks on again, the transaction usable
        assert await db.scalar(select(func.count()).select_from(ContributionTopic)) == 0
        assert await switched_off(db) == []


async def new_position(db, consultation, **values: Any) -> dict[str, Any]:
    """A position on RT1-KM1 to be loaded, its id reserved; `values` change it."""
    [new_id] = await reserve_ids(db, CONTRIBUTIONS, 1)
    now = utcnow()
    row: dict[str, Any] = {
        "id": new_id,
        "key_message_id": key_message(consultation, "RT1-KM1").id,
        "author_id": (await make_user(db, with_organisation=False)).id,
        "depth": 0,
        "position": "support",
        "body_source": "Loaded.",
        "body_html": "<p>Loaded.</p>",
        "language": "en",
        "status": ContributionStatus.VISIBLE,
        "submission_key": f"demo-{new_id}",
        "created_at": now,
        "updated_at": now,
        "publication": PublicationConsent.NAMED,
        "endorsement_count": 0,
    }
    return row | values


def as_row(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(column) for column in COLUMNS)


async def test_a_reply_to_no_contribution_is_refused(db, consultation):
    """A key into the loaded table itself: the rows loaded with it need no lookup, others do."""
    reply = await new_position(db, consultation, depth=1, position=None)
    new_id = reply["id"]
    reply |= {"parent_id": new_id + 1000, "thread_root_id": new_id}  # the root: itself, which exists
    with pytest.raises(REFUSED) as refused:
        await insert_rows(db, CONTRIBUTIONS, COLUMNS, [as_row(reply)], keys_at_once=True)
    if on_postgresql(db):
        assert "1 value(s) of parent_id name no row" in str(refused.value) and "thread_root_id" not in str(
            refused.value
        )
        assert await db.get(Contribution, new_id) is None
        assert await switched_off(db) == []


@pytest.mark.database("postgresql")  # SQLite serialises writers
async def test_rows_named_in_other_tables_are_locked_as_the_per_row_checks_lock_them(db, consultation, database_url):
    """So no one deletes them before the new rows are committed (FOR KEY SHARE)."""
    # Withdrawn: the tallies' trigger leaves the key message's row alone.
    withdrawn = await new_position(db, consultation, status=ContributionStatus.WITHDRAWN)
    await insert_rows(db, CONTRIBUTIONS, COLUMNS, [as_row(withdrawn)], keys_at_once=True)
    named, not_named = key_message(consultation, "RT1-KM1").id, key_message(consultation, "RT1-KM2").id
    probe = text("SELECT id FROM key_messages WHERE id = :id FOR UPDATE NOWAIT")
    other = make_engine(database_url, null_pool=True)
    try:
        async with other.connect() as connection:
            assert await connection.scalar(probe, {"id": not_named}) == not_named
            with pytest.raises(DBAPIError, match="could not obtain lock"):
                await connection.execute(probe, {"id": named})
    finally:
        await other.dispose()


@pytest.mark.database("postgresql")  # SQLite serialises writers anyway
async def test_the_loaded_tables_take_no_writes_until_commit(db, consultation, database_url):
    """The price of switching the per-row checks off (ALTER TABLE): the site's writes to
    those tables wait for the generator's commit; its reads do not."""
    await generate_demo_data(db, contributions=50, key_message_ref="RT1-KM1", consultation_slug=None, random_seed=3)
    other = make_engine(database_url, null_pool=True)
    try:
        async with other.connect() as connection:
            await connection.execute(text("SET lock_timeout = '100ms'"))
            await connection.execute(select(Contribution.id).limit(1))
            with pytest.raises(DBAPIError, match="lock timeout"):
                await connection.execute(update(Contribution).where(Contribution.id < 0).values(depth=0))
    finally:
        await other.dispose()
    assert await switched_off(db) == []


@pytest.mark.database("postgresql")  # SQLite serialises writers
async def test_the_loaded_tables_are_taken_together_so_an_endorser_meanwhile_is_no_deadlock(
    db, consultation, database_url
):
    """Endorsing writes endorsements, then the contribution's counter: had the generator
    taken contributions, then waited for endorsements, each would wait for the other."""
    other = make_engine(database_url, null_pool=True)
    try:
        async with other.connect() as endorser:
            await endorser.execute(text("SET lock_timeout = '5s'"))
            await endorser.execute(text("LOCK TABLE endorsements IN ROW EXCLUSIVE MODE"))
            holding = asyncio.create_task(hold_for_loads(db, LOADED))
            await asyncio.sleep(HOLD_RETRY_SECONDS * 3)  # it tries, is refused, lets go
            assert not holding.done()
            await endorser.execute(text("LOCK TABLE contributions IN ROW EXCLUSIVE MODE"))
            await endorser.commit()
            await holding
    finally:
        await other.dispose()
    held = "SELECT CAST(CAST(relation AS regclass) AS text) FROM pg_locks"
    mode = "WHERE pid = pg_backend_pid() AND mode = 'ShareRowExclusiveLock'"
    assert set(await db.scalars(text(f"{held} {mode}"))) == {"contributions", "contribution_topics", "endorsements"}


async def written_by_one_run(db) -> list[tuple[Any, ...]]:
    """The contributions and tags one generator run writes, ids counted from its first
    contribution's; rolled back."""
    async with db.begin_nested() as savepoint:
        before = await db.scalar(select(func.coalesce(func.max(Contribution.id), 0)))
        await generate_demo_data(
            db, contributions=300, key_message_ref="RT1-KM1", consultation_slug=None, random_seed=3
        )
        first = await db.scalar(select(func.min(Contribution.id)).where(Contribution.id > before))
        c, tag = Contribution, ContributionTopic
        contributions = await db.execute(
            select(c.id - first, c.parent_id - first, c.superseded_by_id - first, User.email, c.position)
            .add_columns(c.body_source, c.status, c.publication, c.amendment_text, c.endorsement_count)
            .join(User, User.id == c.author_id)
            .where(c.id > before)
            .order_by(c.id)
        )
        tags = await db.execute(
            select(tag.contribution_id - first, tag.topic_id)
            .where(tag.contribution_id > before)
            .order_by(tag.contribution_id, tag.topic_id)
        )
        written = [*contributions.all(), *tags.all()]
        await savepoint.rollback()
    return written


@pytest.mark.database("postgresql")  # SQLite checks row by row only
async def test_checking_at_once_writes_what_checking_row_by_row_writes(db, consultation, monkeypatch):
    at_once = await written_by_one_run(db)

    async def no_keys(*_args: Any) -> list[Any]:
        return []

    monkeypatch.setattr(bulk, "keys_checked_per_row", no_keys)
    assert await written_by_one_run(db) == at_once
