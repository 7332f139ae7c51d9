"""Reading an export's contributions as a stream: one key message at a time, whole threads at
a time, from a server-side cursor (PostgreSQL; SQLite steps through its own), so an export of
any size holds one batch and one thread in memory, never the consultation.

What is read is what negotiators see (app.discussion.presenters with NEGOTIATORS), restricted
by the request's Selection. Threads come in the order of their first contribution (oldest
first, then by id), and each thread's contributions oldest first, so a writer can nest
replies under their parents as it goes: a reply whose parent the selection left out opens a
branch of its own, where its thread would be."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.consolidation.selection import Selection
from app.consultation.models import KeyMessage
from app.discussion.models import Contribution
from app.discussion.presenters import ContributionView, attach_extras, listing, to_view
from app.discussion.publication import NEGOTIATORS, PUBLIC, listed_for
from app.discussion.supersession import counted
from app.discussion.tallies import Tally, selected_tallies
from app.export.formats import Progress
from app.moderation.curation import export_highlights
from app.moderation.summaries import export_summaries
from app.organisations.models import Organisation

#: Rows fetched from the cursor at a time; each batch's topics, attachments and endorsers
#: are read in three more queries.
BATCH = 1000

#: The first contribution of each row's thread, for the threads' order.
_Root = aliased(Contribution, name="thread_root")


class Item(NamedTuple):
    """One contribution as negotiators see it, with what its records need besides."""

    view: ContributionView
    body_source: str  #: Markdown, as written
    origins: list[str]  #: a diaspora organisation's countries of origin (ISO codes)


Thread = list[Item]


def export_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """The selection's conditions, which leave out anonymous contributions under a filter by
    who spoke (app.consolidation.selection.Selection.conditions, decision 0010)."""
    return selection.conditions()


def _selected(key_message_ids: Sequence[int], conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        listing(NEGOTIATORS, Contribution.body_source, Organisation.origin_countries)
        .join(_Root, _Root.id == func.coalesce(Contribution.thread_root_id, Contribution.id))
        .where(Contribution.key_message_id.in_(key_message_ids), *conditions)
    )


async def count_selected(db: AsyncSession, key_messages: Sequence[KeyMessage], selection: Selection) -> int:
    ids = [m.id for m in key_messages]
    query = _selected(ids, export_conditions(selection)).with_only_columns(func.count(Contribution.id))
    return int(await db.scalar(query) or 0)


async def threads(
    db: AsyncSession, key_messages: Sequence[KeyMessage], selection: Selection
) -> AsyncIterator[tuple[int, list[Thread]]]:
    """The selected contributions of the key messages, in their order: a key message's id and
    a batch of its whole threads at a time. One query for all of them, so the database reads
    what it joins once, not once per key message."""
    if not key_messages:
        return
    order = case({m.id: index for index, m in enumerate(key_messages)}, value=Contribution.key_message_id)
    query = (
        _selected([m.id for m in key_messages], export_conditions(selection))
        .order_by(order, _Root.created_at, _Root.id, Contribution.created_at, Contribution.id)
        .execution_options(yield_per=BATCH)
    )
    # On the session's connection, not the session: plain rows need none of the ORM's
    # loading, which cost a third more per row.
    result = await (await db.connection()).stream(query)
    pending: Thread = []
    async for rows in result.partitions():
        items = [Item(to_view(row, NEGOTIATORS), row[-2], list(row[-1] or [])) for row in rows]
        await attach_extras(db, [item.view for item in items])
        complete, pending = _whole_threads(pending + items)
        for key_message_id, batch in _by_key_message(complete):
            yield key_message_id, batch
    if pending:
        yield pending[0].view.key_message_id, [pending]


def _by_key_message(found: list[Thread]) -> list[tuple[int, list[Thread]]]:
    grouped: list[tuple[int, list[Thread]]] = []
    for thread in found:
        key_message_id = thread[0].view.key_message_id
        if grouped and grouped[-1][0] == key_message_id:
            grouped[-1][1].append(thread)
        else:
            grouped.append((key_message_id, [thread]))
    return grouped


class KeyMessageStream:
    """The batches of `threads`, asked for one key message after the other (in their order)."""

    def __init__(self, source: AsyncIterator[tuple[int, list[Thread]]]) -> None:
        self.source = source
        self.head: tuple[int, list[Thread]] | None = None
        self.ended = False

    async def batches(self, key_message_id: int) -> AsyncIterator[list[Thread]]:
        while True:
            if self.head is None and not self.ended:
                self.head = await anext(self.source, None)
                self.ended = self.head is None
            if self.head is None or self.head[0] != key_message_id:
                return
            yield self.head[1]
            self.head = None


def thread_of(view: ContributionView) -> int:
    return view.thread_root_id or view.id


def _whole_threads(items: Thread) -> tuple[list[Thread], Thread]:
    """The items cut into threads; the last one may go on in the next batch, so it is kept
    (a thread's contributions are all on its key message)."""
    found: list[Thread] = []
    for item in items:
        if found and thread_of(found[-1][0].view) == thread_of(item.view):
            found[-1].append(item)
        else:
            found.append([item])
    if not found:
        return [], []
    return found[:-1], found[-1]


@dataclass
class KeyMessageFacts:
    """What is said of each key message besides its contributions, read before them: bounded
    by the number of key messages, kinds and places, highlights and summaries."""

    counts: dict[int, Tally]
    repeats: dict[int, Counter[str]]  #: see campaign_repeats
    highlights: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    summaries: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


async def key_message_facts(
    db: AsyncSession, key_messages: Sequence[KeyMessage], selection: Selection
) -> KeyMessageFacts:
    ids = [m.id for m in key_messages]
    conditions = export_conditions(selection)
    return KeyMessageFacts(
        counts=await selected_tallies(db, ids, conditions),
        repeats=await campaign_repeats(db, ids, conditions),
        highlights=await export_highlights(db, ids),
        summaries=await export_summaries(db, ids),
    )


async def campaign_repeats(
    db: AsyncSession, key_message_ids: list[int], conditions: Sequence[ColumnElement[bool]]
) -> dict[int, Counter[str]]:
    """By key message and position: the counted positions beyond the first of each campaign,
    which counting campaigns once leaves out (counted as the tallies count)."""
    if not key_message_ids:
        return {}
    members = (
        select(Contribution.key_message_id, Contribution.position, func.count())
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(
            Contribution.key_message_id.in_(key_message_ids),
            Contribution.parent_id.is_(None),
            Contribution.campaign_id.is_not(None),
            counted(),
            listed_for(PUBLIC),
            *conditions,
        )
        .group_by(Contribution.key_message_id, Contribution.campaign_id, Contribution.position)
    )
    repeats: dict[int, Counter[str]] = defaultdict(Counter)
    for key_message_id, position, count in await db.execute(members):
        if position is not None:  # a top-level contribution always takes one
            repeats[key_message_id][position] += count - 1
    return repeats


class Tracker:
    """How many contributions were written, told to the runner as a share of the total."""

    def __init__(self, total: int, progress: Progress) -> None:
        self.total, self.progress, self.done = total, progress, 0

    async def advance(self, written: int) -> None:
        self.done += written
        await self.progress(min(1.0, self.done / self.total) if self.total else 1.0)
