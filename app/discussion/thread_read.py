"""Reading discussions a page at a time, never a whole thread.

A key message page loads one page of top-level contributions and, in one more query, the
first replies of each down to a set depth; deeper replies are reached through "continue
this thread" links to thread pages (app.discussion.thread_tree). Lists are built from plain
rows into small read-only views (app.discussion.presenters): building ORM objects
was most of a page's time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.discussion.list_order import (
    SortOrder,
    after_cursor,
    encode_cursor,
    shown_in_lists,
    sibling_ordering,
    tagged_with,
)
from app.discussion.models import (
    Contribution,
)
from app.discussion.presenters import ContributionView, attach_extras, listing, to_view
from app.discussion.publication import Audience, listed_for
from app.discussion.thread_versions import ThreadVersion

#: Replies shown under each top-level contribution on the key message page: enough to show
#: a conversation, few enough that a page of 20 busy threads stays under 150 KB for a
#: signed-in reader too (reply and endorse links on every item; measured in bench/);
#: "Read the whole thread" links to the rest.
REPLIES_PER_THREAD = 4
#: Levels of replies shown under a contribution (settings.thread_depth is what pages use).
DEFAULT_DEPTH_LIMIT = 3


@dataclass
class Node:
    contribution: ContributionView
    children: list[Node] = field(default_factory=list)
    reply_count: int = 0  #: all replies in the thread (top-level nodes of a key message page)
    #: Direct replies not loaded under this one (past the depth shown, or past a cap): the
    #: "Continue this thread" link leads to them.
    more_replies: int = 0

    @property
    def loaded_replies(self) -> int:
        return sum(1 + child.loaded_replies for child in self.children)


@dataclass
class ThreadPage:
    nodes: list[Node]
    next_cursor: str | None


async def key_message_threads(
    db: AsyncSession,
    key_message_id: int,
    *,
    cursor: str | None,
    page_size: int,
    audience: Audience,
    sort: SortOrder = SortOrder.OLDEST,
    topic_id: int | None = None,
    depth_limit: int = DEFAULT_DEPTH_LIMIT,
) -> ThreadPage:
    """One page of top-level contributions in the chosen order, each with its first replies
    down to `depth_limit` levels."""
    roots = await page_of_roots(
        db, key_message_id, cursor=cursor, page_size=page_size, audience=audience, sort=sort, topic_id=topic_id
    )
    nodes = await threads_of(db, key_message_id, roots.roots, audience, depth_limit)
    return ThreadPage(nodes, roots.next_cursor)


@dataclass
class RootsPage:
    """One page of top-level contributions, without their replies."""

    roots: list[ContributionView]
    next_cursor: str | None
    #: Each root's thread version (app.discussion.thread_versions), read in the same
    #: statement as the roots: what is read of a thread afterwards is at least as new.
    versions: dict[int, int] = field(default_factory=dict)
    #: The newest id on the key message (latest_contribution_query), when asked for and the
    #: page has a row to carry it: read in the same statement as the roots, so news polled
    #: from it neither misses nor repeats what the page shows.
    newest_id: int | None = None


async def page_of_roots(
    db: AsyncSession,
    key_message_id: int,
    *,
    cursor: str | None,
    page_size: int,
    audience: Audience,
    sort: SortOrder = SortOrder.OLDEST,
    topic_id: int | None = None,
    with_newest_id: bool = False,
) -> RootsPage:
    """One page of top-level contributions in the chosen order: the threads a page shows."""
    keys = select(Contribution.id).where(
        Contribution.key_message_id == key_message_id,
        Contribution.parent_id.is_(None),
        listed_for(audience),
        shown_in_lists(),
    )
    if (after := after_cursor(sort, cursor)) is not None:
        keys = keys.where(after)
    if topic_id is not None:
        keys = keys.where(tagged_with(topic_id))
    newest = (latest_contribution_query(key_message_id).scalar_subquery(),) if with_newest_id else ()
    page = rows_of_page(keys.limit(page_size + 1), sibling_ordering(sort), audience, _THREAD_VERSION, *newest)
    rows = (await db.execute(page)).all()
    roots = [to_view(row, audience) for row in rows[:page_size]]
    versions = {root.id: row[_VERSION_COLUMN] for root, row in zip(roots, rows, strict=False)}
    next_cursor = encode_cursor(sort, roots[-1]) if len(rows) > page_size else None
    newest_id = (rows[0][-1] or 0) if with_newest_id and rows else None
    return RootsPage(roots, next_cursor, versions, newest_id)


def latest_contribution_query(key_message_id: int) -> Select[int]:
    """The newest id on the key message, whoever may see it. One entry of
    ix_contributions_key_message_id_id, however large the table: without that index
    PostgreSQL walked the primary key back past every newer row of other key messages (its
    plan is tested: tests/unit/discussion/test_query_plans.py)."""
    return select(func.max(Contribution.id)).where(Contribution.key_message_id == key_message_id)


#: Where the thread version sits in a row of page_of_roots: after the listed columns.
_VERSION_COLUMN = len(listing(Audience()).selected_columns)
_THREAD_VERSION = func.coalesce(
    select(ThreadVersion.version).where(ThreadVersion.root_id == Contribution.id).scalar_subquery(), 0
)


async def threads_of(
    db: AsyncSession,
    key_message_id: int,
    roots: list[ContributionView],
    audience: Audience,
    depth_limit: int = DEFAULT_DEPTH_LIMIT,
) -> list[Node]:
    """The threads of `roots`: each with its first REPLIES_PER_THREAD replies (oldest first,
    within the depth limit), read only as far as those, however many replies it has."""
    if not roots:
        return []
    root_ids = [root.id for root in roots]
    first_replies = _first_replies_statement(len(root_ids), audience, depth_limit)
    rows = await db.execute(first_replies, {f"root_{n}": root_id for n, root_id in enumerate(root_ids)})
    replies = [to_view(row, audience) for row in rows]
    await attach_extras(db, [*roots, *replies])
    totals = await _replies_per_thread(db, root_ids, audience)
    nodes = {root.id: Node(root, reply_count=totals.get(root.id, 0)) for root in roots}
    nest(nodes, replies)
    at_limit = [node for node in nodes.values() if node.contribution.depth == depth_limit]
    await count_unloaded_replies(db, key_message_id, at_limit, audience)
    return [nodes[root.id] for root in roots]


@lru_cache(maxsize=128)
def _first_replies_statement(threads: int, audience: Audience, depth_limit: int) -> Select[*tuple[Any, ...]]:
    """The rows of the first replies of `threads` threads, oldest first, with the roots' ids
    as parameters (root_0, root_1, ...): their ids chosen by a UNION ALL, read in the same
    statement. Built once: building it and its cache key anew for every page cost more than
    running it (about 20 ms of Python for 20 threads)."""
    chosen = union_all(*(_first_replies_of(bindparam(f"root_{n}"), audience, depth_limit) for n in range(threads)))
    return listing(audience).where(Contribution.id.in_(chosen)).order_by(Contribution.created_at, Contribution.id)


def _first_replies_of(root_id: Any, audience: Audience, depth_limit: int) -> Select[int]:
    """The ids of one thread's first replies: a few entries of its thread index. One such
    select per thread, in a UNION ALL: ranking the replies of all the page's threads in one
    query read every reply of every thread on the page, thousands for a busy one."""
    first = (
        select(Contribution.id)
        .where(
            Contribution.thread_root_id == root_id,
            Contribution.depth <= depth_limit,
            listed_for(audience),
            shown_in_lists(),
        )
        .order_by(Contribution.created_at, Contribution.id)
        .limit(REPLIES_PER_THREAD)
        .subquery()
    )
    return select(first.c.id)  # SQLite takes LIMIT inside a UNION only in a subquery


async def _replies_per_thread(db: AsyncSession, root_ids: list[int], audience: Audience) -> dict[int, int]:
    rows = await db.execute(
        select(Contribution.thread_root_id, func.count())
        .where(Contribution.thread_root_id.in_(root_ids), listed_for(audience), shown_in_lists())
        .group_by(Contribution.thread_root_id)
    )
    return {root_id: count for root_id, count in rows if root_id is not None}


def rows_of_page(
    keys: Select[int], order: tuple[Any, ...], audience: Audience, *extra: Any
) -> Select[*tuple[Any, ...]]:
    """The rows of the page of ids `keys` selects (ordered by `order`, limited), with the
    `extra` columns. Choosing the bare ids first lets the database stop early and join
    people for the page only."""
    return (
        listing(audience, *extra).where(Contribution.id.in_(keys.order_by(*order).scalar_subquery())).order_by(*order)
    )


async def views_by_id(db: AsyncSession, ids: list[int], audience: Audience) -> list[ContributionView]:
    """The contributions `ids` (chosen by a ranking query), oldest first, by primary key."""
    if not ids:
        return []
    rows = await db.execute(
        listing(audience).where(Contribution.id.in_(ids)).order_by(Contribution.created_at, Contribution.id)
    )
    return [to_view(row, audience) for row in rows]


def nest(nodes: dict[int, Node], replies: list[ContributionView]) -> None:
    """Hang each reply under its parent; a reply whose parent is not loaded (not for this
    audience's eyes) is left out."""
    for reply in replies:  # oldest first, so a parent is always placed before its replies
        parent = nodes.get(reply.parent_id) if reply.parent_id is not None else None
        if parent is not None:
            nodes[reply.id] = node = Node(reply)
            parent.children.append(node)


async def count_unloaded_replies(db: AsyncSession, key_message_id: int, nodes: list[Node], audience: Audience) -> None:
    """Set `more_replies` of each node: its direct replies (listed for the audience) that
    are not among its loaded children. One grouped query on the parent index."""
    if not nodes:
        return
    rows = await db.execute(
        select(Contribution.parent_id, func.count())
        .where(
            Contribution.key_message_id == key_message_id,
            Contribution.parent_id.in_([node.contribution.id for node in nodes]),
            listed_for(audience),
            shown_in_lists(),
        )
        .group_by(Contribution.parent_id)
    )
    counts = {parent_id: count for parent_id, count in rows if parent_id is not None}
    for node in nodes:
        node.more_replies = max(counts.get(node.contribution.id, 0) - len(node.children), 0)


async def readable_among(
    db: AsyncSession, ids: Iterable[int | None], audience: Audience, reader_id: int | None
) -> set[int]:
    """Which of `ids` the reader may open: those listed for their audience, and their own.
    A page links to a parent or to the start of a thread only then, so a public reply never
    leads to, nor gives the id of, a contribution not for publication."""
    wanted = {identifier for identifier in ids if identifier is not None}
    if not wanted:
        return set()
    readable = listed_for(audience)
    if reader_id is not None:
        readable = or_(readable, Contribution.author_id == reader_id)
    return set(await db.scalars(select(Contribution.id).where(Contribution.id.in_(wanted), readable)))


async def contribution_with_people(db: AsyncSession, contribution_id: int) -> Contribution | None:
    """One contribution as a model (it may be changed), with its author and organisation."""
    return await db.scalar(
        select(Contribution)
        .options(joinedload(Contribution.author), joinedload(Contribution.organisation))
        .where(Contribution.id == contribution_id)
    )
