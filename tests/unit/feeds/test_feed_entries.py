"""A feed's entries are the newest of all its key messages together, though each key
message's are read apart (app.feeds.services)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.feeds.services import FEED_ENTRIES, recent_contributions
from tests.factories import key_message, make_position, make_reply, make_user


async def test_the_newest_of_several_key_messages_whatever_each_one_holds(
    db: AsyncSession, consultation: Consultation
) -> None:
    author = await make_user(db)
    busy = await make_position(db, consultation, author=author, ref="RT2-KM2", body="Busy.")
    quiet = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1", body="Quiet.")
    for number in range(FEED_ENTRIES + 5):
        await make_reply(db, author=author, parent=busy if number % 10 else quiet, body=f"Reply {number}.")
    await make_reply(
        db, author=author, parent=busy, body="Not for the public.", publication=PublicationConsent.NOT_FOR_PUBLICATION
    )
    ids = [key_message(consultation, ref).id for ref in ("RT2-KM2", "RT1-KM1", "RT3-KM1")]
    expected = await db.scalars(
        select(Contribution.id)
        .where(
            Contribution.key_message_id.in_(ids),
            Contribution.status == ContributionStatus.VISIBLE,
            Contribution.publication != PublicationConsent.NOT_FOR_PUBLICATION,
        )
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(FEED_ENTRIES)
    )
    entries = await recent_contributions(db, ids)
    assert [entry.contribution.id for entry in entries] == list(expected)
    assert {entry.key_message_ref for entry in entries} == {"RT2-KM2", "RT1-KM1"}


async def test_no_key_messages_no_entries(db: AsyncSession) -> None:
    assert await recent_contributions(db, []) == []
