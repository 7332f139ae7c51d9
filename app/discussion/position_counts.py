"""How many positions count, per key message, position and organisation: the tallies'
data, kept up to date by database triggers in the same transaction as every write.

Triggers on contributions (migration c5f2d8e3b942) change these rows whichever path
writes: posting and supersession, edits, withdrawal, moderation, erasure, bulk inserts of
demo data, deleted key messages. They follow the rule this module spells in SQLAlchemy for
the recount: a top-level position that is counted (app.discussion.supersession.counted)
and listed for the public; one published anonymously counts under no organisation
(app.discussion.publication.counts_under_organisation). The recount is the oracle the
tests hold the triggers to, and what rebuild_position_counts writes back after a restored
backup or any doubt."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Boolean, ForeignKey, Integer, Select, String, case, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.consultation.models import KeyMessage
from app.db import Base
from app.discussion.models import Contribution, PublicationConsent
from app.discussion.publication import PUBLIC, counts_under_organisation, is_listed_for, listed_for
from app.discussion.supersession import counted

#: PositionCount.organisation_id of a position counted under no organisation: made
#: personally, or published anonymously. Not NULL: NULLs never meet in a unique key.
NO_ORGANISATION = 0


class PositionCount(Base):
    """The number of counted positions with one key; written only by the triggers and
    rebuild_position_counts."""

    __tablename__ = "position_counts"

    key_message_id: Mapped[int] = mapped_column(
        ForeignKey("key_messages.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    position: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: False: published anonymously, so counted as "undisclosed", by no type or place.
    under_organisation: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    #: The organisation spoken for, or NO_ORGANISATION. No foreign key: 0 names none, and
    #: the organisation's type and places are read with the count, never copied into it.
    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Rows are kept at 0 rather than deleted, so a change back needs no new row.
    count: Mapped[int] = mapped_column(Integer)


_UNDER_ORGANISATION = [c for c in PublicationConsent if is_listed_for(c, PUBLIC) and counts_under_organisation(c)]


def recounted(key_message_ids: Collection[int] | None = None) -> Select[tuple[int, str, bool, int, int]]:
    """The counts recomputed from contributions, in PositionCount's columns: the rule the
    triggers implement, and the oracle they are tested against. None: every key message."""
    under = Contribution.publication.in_(_UNDER_ORGANISATION)
    organisation = case((under, func.coalesce(Contribution.organisation_id, NO_ORGANISATION)), else_=NO_ORGANISATION)
    keys = (
        Contribution.key_message_id.label("key_message_id"),
        Contribution.position.label("position"),
        under.label("under_organisation"),
        organisation.label("organisation_id"),
    )
    query = select(*keys, func.count().label("count")).where(
        Contribution.parent_id.is_(None), counted(), listed_for(PUBLIC)
    )
    if key_message_ids is not None:
        query = query.where(Contribution.key_message_id.in_(key_message_ids))
    return query.group_by(*keys)


async def rebuild_position_counts(db: AsyncSession, key_message_ids: Collection[int] | None = None) -> int:
    """Write the counts of these key messages (None: all) afresh from contributions, for
    after a restored backup or a time the triggers were off; returns the rows written.

    The key messages' rows are locked first, as the triggers lock them (PostgreSQL), so a
    write that meets the rebuild waits and then applies its change to the new counts."""
    locked = select(KeyMessage.id).order_by(KeyMessage.id).with_for_update(key_share=True)
    cleared = delete(PositionCount)
    if key_message_ids is not None:
        locked = locked.where(KeyMessage.id.in_(key_message_ids))
        cleared = cleared.where(PositionCount.key_message_id.in_(key_message_ids))
    await db.execute(locked)
    await db.execute(cleared)
    fresh = recounted(key_message_ids)
    columns = [PositionCount.__table__.c[name] for name in fresh.selected_columns.keys()]
    written = await db.execute(insert(PositionCount).from_select(columns, fresh))
    return int(written.rowcount)  # type: ignore[attr-defined]  # CursorResult of an INSERT
