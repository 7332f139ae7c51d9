"""A thread page: one contribution (the head) and the conversation under it, a page of its
direct replies at a time, each with its own replies down to the depth limit.

Contributions store their parent, thread root and depth but no materialised path, so a
subtree is read level by level: the page of direct replies, then `parent_id IN (…)` for each
level below, every level capped. A page costs one query per level however large the thread
is; replies past the last level, or cut by a cap, are counted for "continue this thread"
links to their own thread pages, so any depth can be reached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.discussion.list_order import SortOrder, after_cursor, encode_cursor, shown_in_lists, sibling_ordering
from app.discussion.models import Contribution
from app.discussion.presenters import ContributionView, attach_extras, to_view
from app.discussion.publication import Audience, listed_for
from app.discussion.thread_read import Node, ThreadPage, count_unloaded_replies, nest, rows_of_page, views_by_id

#: Replies loaded per level below the head's direct replies. Every parent's first reply
#: comes before anyone's second, so one busy branch cannot crowd out the others.
LEVEL_CAP = 60


async def subthread_page(
    db: AsyncSession,
    head: ContributionView,
    *,
    cursor: str | None,
    page_size: int,
    audience: Audience,
    depth_limit: int,
) -> ThreadPage:
    """A page of the head's direct replies (oldest first), each with its replies down to
    `depth_limit` levels under the head."""
    keys = select(Contribution.id).where(
        Contribution.key_message_id == head.key_message_id,
        Contribution.parent_id == head.id,
        listed_for(audience),
        shown_in_lists(),
    )
    if (after := after_cursor(SortOrder.OLDEST, cursor)) is not None:
        keys = keys.where(after)
    rows = (
        await db.execute(rows_of_page(keys.limit(page_size + 1), sibling_ordering(SortOrder.OLDEST), audience))
    ).all()
    children = [to_view(row, audience) for row in rows[:page_size]]
    nodes = {child.id: Node(child) for child in children}
    loaded, frontier = list(children), children
    for _level in range(2, depth_limit + 1):
        if not frontier:
            break
        frontier = await _next_level(db, head.key_message_id, [view.id for view in frontier], audience)
        nest(nodes, frontier)
        loaded += frontier
    await attach_extras(db, loaded)
    await count_unloaded_replies(db, head.key_message_id, [nodes[view.id] for view in loaded], audience)
    next_cursor = encode_cursor(SortOrder.OLDEST, children[-1]) if len(rows) > page_size else None
    return ThreadPage([nodes[child.id] for child in children], next_cursor)


async def _next_level(
    db: AsyncSession, key_message_id: int, parent_ids: list[int], audience: Audience
) -> list[ContributionView]:
    """Replies to `parent_ids`, at most LEVEL_CAP, taken by rank under their parent: for each
    parent its replies come oldest first, which is the order nest() keeps.

    No parent gives more than LEVEL_CAP, so each is read only that far (one select per
    parent, in a UNION ALL); ranking every reply of every parent read all thousand replies
    of a busy one to keep sixty."""
    replies = union_all(
        *(_first_replies_to(key_message_id, parent_id, audience) for parent_id in parent_ids)
    ).subquery()
    ranked = select(
        replies.c.id,
        replies.c.created_at,
        func.row_number()
        .over(partition_by=replies.c.parent_id, order_by=(replies.c.created_at, replies.c.id))
        .label("rank"),
    ).subquery()
    chosen = await db.scalars(
        select(ranked.c.id).order_by(ranked.c.rank, ranked.c.created_at, ranked.c.id).limit(LEVEL_CAP)
    )
    return await views_by_id(db, list(chosen), audience)


def _first_replies_to(key_message_id: int, parent_id: int, audience: Audience) -> Select[tuple[int, int, datetime]]:
    first = (
        select(Contribution.id, Contribution.parent_id, Contribution.created_at)
        .where(
            Contribution.key_message_id == key_message_id,
            Contribution.parent_id == parent_id,
            listed_for(audience),
            shown_in_lists(),
        )
        .order_by(*sibling_ordering(SortOrder.OLDEST))
        .limit(LEVEL_CAP)
        .subquery()
    )
    return select(first.c.id, first.c.parent_id, first.c.created_at)  # SQLite: LIMIT in a UNION needs a subquery
