"""The demo data's bulk writes: ids reserved ahead that no other writer can take, rows sent
by COPY or executemany that read back like ORM-written ones, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import cast

import pytest
from sqlalchemy import Table, select, text
from sqlalchemy.exc import OperationalError

from app.db import make_engine
from app.demo.bulk import SQLITE_CACHE_KIB, insert_rows, page_cache_for_loads, reserve_ids
from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.organisations.models import Membership
from tests.factories import make_position, make_user

CONTRIBUTIONS = cast(Table, Contribution.__table__)


async def generate(db, count: int = 60, ref: str | None = "RT1-KM1") -> str:
    return await generate_demo_data(db, contributions=count, key_message_ref=ref, consultation_slug=None, random_seed=9)


async def test_reserved_ids_are_new_distinct_and_increasing(db, consultation):
    await generate(db)
    largest = await db.scalar(select(Contribution.id).order_by(Contribution.id.desc()).limit(1))
    reserved = await reserve_ids(db, CONTRIBUTIONS, 50)
    assert len(set(reserved)) == 50 and reserved == sorted(reserved) and reserved[0] > largest
    assert await reserve_ids(db, CONTRIBUTIONS, 0) == []


async def test_a_writer_meanwhile_never_takes_a_reserved_id(db, consultation, database_url):
    """The site posting while the generator runs: on PostgreSQL its id comes from the same
    sequence, past ours; on SQLite it cannot write at all until the generator commits."""
    await generate(db)  # has written: on SQLite, holds the write lock
    reserved = await reserve_ids(db, CONTRIBUTIONS, 50)
    other = make_engine(database_url, null_pool=True, busy_timeout_seconds=0)
    try:
        async with other.connect() as connection:
            if connection.dialect.name == "postgresql":
                # What the default of an INSERT on the site draws.
                drawn = await connection.scalar(text("SELECT nextval(pg_get_serial_sequence('contributions', 'id'))"))
                assert drawn > max(reserved)
            else:
                with pytest.raises(OperationalError, match="database is locked"):
                    await connection.execute(text("UPDATE key_messages SET discussion_version = discussion_version"))
    finally:
        await other.dispose()


async def test_rows_that_would_skip_a_python_default_are_refused(db, consultation):
    """COPY knows only the database's defaults; a column left out would be NULL or fail."""
    with pytest.raises(ValueError, match=r"\['created_at', 'is_admin'\]"):
        await insert_rows(db, cast(Table, Membership.__table__), ("user_id", "organisation_id", "updated_at"), [])


async def test_generated_rows_are_stored_as_the_orm_stores_them(db, consultation):
    author = await make_user(db)
    by_hand = await make_position(db, consultation, author=author, ref="RT1-KM1", body="Written by the ORM.")
    await generate(db)
    raw = text("SELECT created_at, status, publication FROM contributions WHERE id IN (:orm, :bulk) ORDER BY id")
    generated = await db.scalar(select(Contribution.id).where(Contribution.id > by_hand.id).limit(1))
    orm, bulk = (await db.execute(raw, {"orm": by_hand.id, "bulk": generated})).all()
    assert type(orm.created_at) is type(bulk.created_at)
    if isinstance(bulk.created_at, str):  # SQLite keeps text: the same format, or sorting breaks
        shape = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
        assert shape.fullmatch(orm.created_at) and shape.fullmatch(bulk.created_at)
    assert bulk.status in {s.value for s in ContributionStatus}
    assert bulk.publication in {p.value for p in PublicationConsent}
    loaded = await db.get_one(Contribution, generated)
    assert isinstance(loaded.status, ContributionStatus) and isinstance(loaded.publication, PublicationConsent)


@pytest.mark.database("sqlite")  # PostgreSQL's page cache is the server's shared buffers
async def test_sqlite_loads_with_a_larger_page_cache_and_gives_the_connection_its_own_back(db, consultation):
    before = await db.scalar(text("PRAGMA cache_size"))
    async with page_cache_for_loads(db):
        assert await db.scalar(text("PRAGMA cache_size")) == -SQLITE_CACHE_KIB
    assert await db.scalar(text("PRAGMA cache_size")) == before
    await generate(db)
    assert await db.scalar(text("PRAGMA cache_size")) == before
