"""A snapshot's time is the data's own: the latest change to what it covers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.export.formats import data_as_of
from tests.factories import make_position, make_user


async def test_the_latest_change_among_the_selected_key_messages(db: AsyncSession, consultation: Consultation) -> None:
    older = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM3")
    newer = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
    older.updated_at = datetime(2013, 6, 1, 10, tzinfo=UTC)
    newer.updated_at = datetime(2013, 6, 2, 10, tzinfo=UTC)
    await db.flush()
    assert await data_as_of(db, consultation, Selection(roundtable="RT2")) == datetime(2013, 6, 1, 10, tzinfo=UTC)
    assert await data_as_of(db, consultation, Selection()) == datetime(2013, 6, 2, 10, tzinfo=UTC)


async def test_with_nothing_selected_it_is_the_consultations_time(db: AsyncSession, consultation: Consultation) -> None:
    moment = await data_as_of(db, consultation, Selection(key_message="RT3-KM1"))
    assert moment.tzinfo is not None and moment == consultation.updated_at.replace(tzinfo=UTC)
