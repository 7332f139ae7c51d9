"""Saving the planned contributions in bulk, with ids known before the first row is sent.

Every reference then points at a row already inserted: each speaker's current position
goes first, then the positions it supersedes (app.discussion.supersession: the latest one
counts, the earlier ones point straight at it), then the replies in the order planned
(their parents are earlier). So rows can be sent in any number of batches on both
databases, whose foreign keys are checked per statement. Ids still grow with time: they
are given in the order planned, which is the order of creation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.bulk import insert_rows, reserve_ids
from app.demo.deliberation import Deliberation
from app.demo.threads import BodyPool, Planned
from app.discussion.models import Contribution

TABLE = cast(Table, Contribution.__table__)
COLUMNS = (
    "id",
    "key_message_id",
    "author_id",
    "organisation_id",
    "parent_id",
    "thread_root_id",
    "depth",
    "position",
    "body_source",
    "body_html",
    "language",
    "status",
    "moderation_reason",
    "submission_key",
    "created_at",
    "updated_at",
    "publication",
    "amendment_text",
    "endorsement_count",
    "superseded_by_id",
)
Speaker = tuple[int, int | None, int | None]  #: (key message, organisation, author when personal)


def speaker(key_message_id: int, organisation_id: int | None, author_id: int) -> Speaker:
    """Who a position speaks for: an organisation, whichever member posts, or the person."""
    return (key_message_id, organisation_id, None if organisation_id is not None else author_id)


async def save_contributions(
    db: AsyncSession,
    plan: Sequence[Planned],
    bodies: BodyPool,
    authors: Sequence[int],
    organisations: Sequence[int | None],
    extras: Sequence[Deliberation],
) -> list[int]:
    """Insert the plan (authors and organisations indexed like the plan's people); returns
    the ids, in the order of the plan."""
    ids = await reserve_ids(db, TABLE, len(plan))
    latest = _latest_positions(plan, authors, organisations)
    earlier = await _current_positions(db, latest)
    # Out of the unique index of current positions until the new current ones are in.
    if earlier:
        await db.execute(_RELEASE, [{"released_id": i} for i in earlier.values()])
    rows = _Rows(plan, bodies, authors, organisations, extras, ids, latest)
    await insert_rows(db, TABLE, COLUMNS, rows.in_reference_order(), keys_at_once=True)
    # The released ones, and those they had superseded, now point at the new current one.
    if earlier:
        repoint = [{"released_id": i, "current_id": ids[latest[s]]} for s, i in earlier.items()]
        await db.execute(_POINT_AT, repoint)
    return ids


def _latest_positions(
    plan: Sequence[Planned], authors: Sequence[int], organisations: Sequence[int | None]
) -> dict[Speaker, int]:
    """Each speaker's last planned position (an index into the plan): the one that counts."""
    return {
        speaker(item.key_message_id, organisations[item.author], authors[item.author]): index
        for index, item in enumerate(plan)
        if item.parent is None
    }


async def _current_positions(db: AsyncSession, latest: dict[Speaker, int]) -> dict[Speaker, int]:
    """The current position already saved (by an earlier run, or the site) of each speaker
    that takes a position now."""
    rows = await db.execute(
        select(TABLE.c.id, TABLE.c.key_message_id, TABLE.c.organisation_id, TABLE.c.author_id).where(
            TABLE.c.key_message_id.in_({key_message for key_message, _o, _a in latest}),
            TABLE.c.parent_id.is_(None),
            TABLE.c.superseded_by_id.is_(None),
        )
    )
    saved = {speaker(km, organisation, author): identifier for identifier, km, organisation, author in rows}
    return {s: identifier for s, identifier in saved.items() if s in latest}


class _Rows:
    """The plan as rows of COLUMNS, produced as they are sent (a million would not fit
    comfortably in memory at once)."""

    def __init__(
        self,
        plan: Sequence[Planned],
        bodies: BodyPool,
        authors: Sequence[int],
        organisations: Sequence[int | None],
        extras: Sequence[Deliberation],
        ids: Sequence[int],
        latest: dict[Speaker, int],
    ) -> None:
        self.plan, self.bodies, self.authors, self.organisations = plan, bodies, authors, organisations
        self.extras, self.ids = extras, ids
        self.current = set(latest.values())
        self.superseded_by: dict[int, int] = {}
        for index, item in enumerate(plan):
            if item.parent is None and index not in self.current:
                who = speaker(item.key_message_id, organisations[item.author], authors[item.author])
                self.superseded_by[index] = ids[latest[who]]

    def in_reference_order(self) -> Iterator[tuple[Any, ...]]:
        yield from (self.row(i) for i in sorted(self.current))
        yield from (self.row(i) for i in sorted(self.superseded_by))
        yield from (self.row(i) for i, item in enumerate(self.plan) if item.parent is not None)

    def row(self, index: int) -> tuple[Any, ...]:
        item, extra, ids = self.plan[index], self.extras[index], self.ids
        identifier = ids[index]
        return (
            identifier,
            item.key_message_id,
            self.authors[item.author],
            self.organisations[item.author],
            None if item.parent is None else ids[item.parent],
            None if item.root is None else ids[item.root],
            item.depth,
            item.position,
            self.bodies.sources[item.body],
            self.bodies.html[item.body],
            "en",
            extra.status,
            extra.moderation_reason,
            f"demo-{identifier}",  # unique: ids are
            item.created_at,
            item.created_at,
            extra.publication,
            extra.amendment_text,
            len(extra.endorsers),
            self.superseded_by.get(index),
        )


_RELEASE = update(TABLE).where(TABLE.c.id == bindparam("released_id")).values(superseded_by_id=TABLE.c.id)
#: The released position points at itself, so one statement repoints it and every position
#: it had superseded.
_POINT_AT = (
    update(TABLE)
    .where(TABLE.c.superseded_by_id == bindparam("released_id"))
    .values(superseded_by_id=bindparam("current_id"))
)
