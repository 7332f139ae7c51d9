"""Reading discussions: position tallies and threads, a page at a time.

A key message page loads one page of top-level contributions and, in one more query, the
first replies of each (never a whole thread); a thread page pages through all replies."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.discussion.models import Contribution, ContributionStatus

#: Replies shown under each top-level contribution on the key message page.
REPLIES_PER_THREAD = 20
INDIVIDUAL = "individual"  #: tally bucket for contributions made without an organisation


@dataclass
class Tally:
    """Visible positions on one key message, overall and by stakeholder type."""

    by_position: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def total(self) -> int:
        return sum(self.by_position.values())


async def tallies(db: AsyncSession, key_message_ids: list[int]) -> dict[int, Tally]:
    """Count visible top-level positions per key message; hidden ones are not counted."""
    result: dict[int, Tally] = defaultdict(Tally)
    if not key_message_ids:
        return result
    rows = await db.execute(
        select(Contribution.key_message_id, Contribution.position, Organisation.type, func.count())
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.key_message_id.in_(key_message_ids), Contribution.parent_id.is_(None),
               Contribution.status == ContributionStatus.VISIBLE)
        .group_by(Contribution.key_message_id, Contribution.position, Organisation.type)
    )
    for key_message_id, position, organisation_type, count in rows:
        tally = result[key_message_id]
        position = str(position)  # never NULL on top-level contributions (a check constraint)
        tally.by_position[position] += count
        tally.by_type[organisation_type.value if organisation_type else INDIVIDUAL][position] += count
    return result


@dataclass
class Node:
    contribution: Contribution
    children: list[Node] = field(default_factory=list)
    reply_count: int = 0  #: all replies in the thread (top-level nodes only)

    @property
    def loaded_replies(self) -> int:
        return sum(1 + child.loaded_replies for child in self.children)


@dataclass
class ThreadPage:
    nodes: list[Node]
    next_cursor: str | None


def encode_cursor(contribution: Contribution) -> str:
    return f"{contribution.created_at.isoformat()}_{contribution.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        timestamp, _sep, identifier = cursor.rpartition("_")
        return datetime.fromisoformat(timestamp), int(identifier)
    except ValueError:
        return None


def _after(cursor: tuple[datetime, int] | None):  # type: ignore[no-untyped-def]
    if cursor is None:
        return True
    created_at, identifier = cursor
    return or_(Contribution.created_at > created_at,
               and_(Contribution.created_at == created_at, Contribution.id > identifier))


def _with_people():  # type: ignore[no-untyped-def]
    return (joinedload(Contribution.author), joinedload(Contribution.organisation))


async def key_message_threads(
    db: AsyncSession, key_message_id: int, *, cursor: str | None, page_size: int
) -> ThreadPage:
    """One page of top-level contributions (oldest first) with their first replies."""
    roots = list((await db.scalars(
        select(Contribution).options(*_with_people())
        .where(Contribution.key_message_id == key_message_id, Contribution.parent_id.is_(None),
               _after(decode_cursor(cursor)))
        .order_by(Contribution.created_at, Contribution.id).limit(page_size + 1)
    )).all())
    has_more = len(roots) > page_size
    roots = roots[:page_size]
    nodes = await _attach_first_replies(db, roots)
    return ThreadPage(nodes, encode_cursor(roots[-1]) if has_more else None)


async def _attach_first_replies(db: AsyncSession, roots: list[Contribution]) -> list[Node]:
    if not roots:
        return []
    ranked = (
        select(Contribution.id, func.row_number().over(
            partition_by=Contribution.thread_root_id, order_by=(Contribution.created_at, Contribution.id)
        ).label("rank"), func.count().over(partition_by=Contribution.thread_root_id).label("total"))
        .where(Contribution.thread_root_id.in_([root.id for root in roots]))
        .subquery()
    )
    rows = (await db.execute(
        select(Contribution, ranked.c.total).options(*_with_people())
        .join(ranked, ranked.c.id == Contribution.id).where(ranked.c.rank <= REPLIES_PER_THREAD)
        .order_by(Contribution.created_at, Contribution.id)
    )).all()
    totals = {row[0].thread_root_id: row[1] for row in rows}
    nodes = {root.id: Node(root, reply_count=totals.get(root.id, 0)) for root in roots}
    _nest(nodes, [row[0] for row in rows])
    return [nodes[root.id] for root in roots]


def _nest(nodes: dict[int, Node], replies: list[Contribution]) -> list[Node]:
    """Hang each reply under its parent; replies whose parent is not loaded are returned."""
    orphans = []
    for reply in replies:  # oldest first, so a parent is always placed before its replies
        node = Node(reply)
        nodes[reply.id] = node
        parent = nodes.get(reply.parent_id) if reply.parent_id is not None else None
        if parent is None:
            orphans.append(node)
        else:
            parent.children.append(node)
    return orphans


async def contribution_with_people(db: AsyncSession, contribution_id: int) -> Contribution | None:
    return await db.scalar(
        select(Contribution).options(*_with_people()).where(Contribution.id == contribution_id)
    )


async def thread_replies(
    db: AsyncSession, contribution: Contribution, *, cursor: str | None, page_size: int
) -> ThreadPage:
    """A page of every reply under `contribution`'s thread root, oldest first. Replies whose
    parent is on an earlier page are listed at the top level of this page."""
    root_id = contribution.thread_root_id or contribution.id
    replies = list((await db.scalars(
        select(Contribution).options(*_with_people())
        .where(Contribution.thread_root_id == root_id, _after(decode_cursor(cursor)))
        .order_by(Contribution.created_at, Contribution.id).limit(page_size + 1)
    )).all())
    has_more = len(replies) > page_size
    replies = replies[:page_size]
    orphans = _nest({}, replies)
    return ThreadPage(orphans, encode_cursor(replies[-1]) if has_more else None)
