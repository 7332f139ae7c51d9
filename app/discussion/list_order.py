"""How a list of top-level contributions is sorted and filtered, and where a page of it ends.

Pages are cut with keyset cursors, never offsets: a cursor holds the sort keys of the last
contribution shown, so the next page is one indexed range read however deep it is. A cursor
that does not fit the sort order (mangled, or from another order) means the first page."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVarTuple
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.consultation.models import Topic
from app.discussion.models import Contribution, ContributionStatus, ContributionTopic
from app.web.numbers import parse_id, parse_number

if TYPE_CHECKING:
    from app.discussion.presenters import ContributionView


_Row = TypeVarTuple("_Row")


class SortOrder(enum.Enum):
    """The orders a reader can choose for the top-level contributions of a key message."""

    OLDEST = "oldest"  #: the conversation as it happened (the default, and the cached page)
    NEWEST = "newest"
    ENDORSED = "endorsed"  #: most endorsements first; among equals the newest first


@dataclass(frozen=True)
class ListQuery:
    """What a reader asked of a list: its order, a topic (a slug of the consultation's
    topics) and where the page starts. Unknown values fall back to the defaults."""

    sort: SortOrder = SortOrder.OLDEST
    topic: str | None = None
    cursor: str | None = None

    @property
    def is_default(self) -> bool:
        """The first page in the default order: the only view kept in the fragment cache."""
        return self.sort is SortOrder.OLDEST and self.topic is None and self.cursor is None

    def query_string(self, *, after: str | None = None) -> str:
        """`?sort=…&topic=…&after=…` for links that keep the reader's choices (defaults left out)."""
        sort = None if self.sort is SortOrder.OLDEST else self.sort.value
        params = {"sort": sort, "topic": self.topic, "after": after}
        return "?" + urlencode({name: value for name, value in params.items() if value})


def parse_list_query(params: Mapping[str, str], topic_slugs: Collection[str]) -> ListQuery:
    try:
        sort = SortOrder(params.get("sort") or SortOrder.OLDEST.value)
    except ValueError:
        sort = SortOrder.OLDEST
    topic = params.get("topic") or None
    return ListQuery(sort=sort, topic=topic if topic in topic_slugs else None, cursor=params.get("after") or None)


def ordering(sort: SortOrder) -> tuple[Any, ...]:
    """ORDER BY of each sort; each ends with the id, so ties are cut the same way every time.
    The endorsement order is descending throughout, so the index
    ix_contributions_key_message_id_endorsement_count read backwards serves it."""
    if sort is SortOrder.NEWEST:
        return Contribution.created_at.desc(), Contribution.id.desc()
    if sort is SortOrder.ENDORSED:
        return Contribution.endorsement_count.desc(), Contribution.id.desc()
    return Contribution.created_at, Contribution.id


def sibling_ordering(sort: SortOrder) -> tuple[Any, ...]:
    """ordering() for contributions that share a parent (none, for top-level ones).

    Ordering by that one parent_id first changes nothing, but it lets PostgreSQL read the rows
    in the order of ix_contributions_key_message_id_parent_id_created_at and stop after a page:
    it does not treat `parent_id IS NULL` as fixing that column's order, and would otherwise
    sort every top-level contribution of the key message to find the first twenty."""
    if sort is SortOrder.ENDORSED:
        return ordering(sort)
    parent = Contribution.parent_id.desc() if sort is SortOrder.NEWEST else Contribution.parent_id
    return parent, *ordering(sort)


def encode_cursor(sort: SortOrder, last: ContributionView) -> str:
    if sort is SortOrder.ENDORSED:
        return f"e{last.endorsement_count}_{last.id}"
    return time_cursor(last.created_at, last.id)


def time_cursor(created_at: datetime, contribution_id: int) -> str:
    """The cursor of the oldest and newest orders; lists kept outside a key message use it too."""
    return f"{created_at.isoformat()}_{contribution_id}"


def after_cursor(sort: SortOrder, cursor: str | None) -> ColumnElement[bool] | None:
    """The rows after the cursor in this order; None (the first page) for no or a bad cursor."""
    if not cursor:
        return None
    key, _sep, identifier = cursor.rpartition("_")
    if (last_id := parse_id(identifier)) is None:
        return None
    if sort is SortOrder.ENDORSED:
        if not key.startswith("e") or (count := parse_number(key[1:])) is None:
            return None
        return or_(
            Contribution.endorsement_count < count,
            and_(Contribution.endorsement_count == count, Contribution.id < last_id),
        )
    try:
        moment = datetime.fromisoformat(key)
    except ValueError:
        return None
    if sort is SortOrder.NEWEST:
        return or_(Contribution.created_at < moment, and_(Contribution.created_at == moment, Contribution.id < last_id))
    return or_(Contribution.created_at > moment, and_(Contribution.created_at == moment, Contribution.id > last_id))


def newest_first_page(query: Select[*_Row], *, cursor: str | None, topic: str | None, page_size: int) -> Select[*_Row]:
    """A page of a list that spans consultations (an organisation's, a person's own): newest
    first, after the cursor, only those on `topic` (a slug) if one is given. It reads one row
    more than a page, which tells whether another page follows."""
    query = query.order_by(*ordering(SortOrder.NEWEST)).limit(page_size + 1)
    if (after := after_cursor(SortOrder.NEWEST, cursor)) is not None:
        query = query.where(after)
    if topic is not None:
        query = query.where(tagged_with_slug(topic))
    return query


def tagged_with(topic_id: int) -> ColumnElement[bool]:
    """Contributions tagged with the topic (served by the primary key of contribution_topics),
    for a list read in its own order that keeps those on the topic."""
    return exists().where(ContributionTopic.contribution_id == Contribution.id, ContributionTopic.topic_id == topic_id)


def among_tagged(topic_id: int) -> ColumnElement[bool]:
    """Contributions tagged with the topic, for a list read from the topic's tags (a topic
    page, a topic's feed): as an EXISTS, SQLite read every contribution of the site and
    looked each one up among the tags."""
    return Contribution.id.in_(select(ContributionTopic.contribution_id).where(ContributionTopic.topic_id == topic_id))


def tagged_with_slug(slug: str) -> ColumnElement[bool]:
    """Contributions tagged with the topic of this slug in their own consultation: lists that
    span consultations filter by slug, which a consultation's vocabulary never renames.

    Each contribution's few tags are looked up as the list is read (OFFSET 0, as in
    shown_in_lists): joined instead, PostgreSQL read the tags of that slug in every
    consultation to find a person's twenty latest contributions."""
    tag = (
        select(ContributionTopic.topic_id)
        .join(Topic, Topic.id == ContributionTopic.topic_id)
        .where(ContributionTopic.contribution_id == Contribution.id, Topic.slug == slug)
        .offset(0)
    )
    return tag.exists()


def in_thread_tagged_with(topic_id: int) -> ColumnElement[bool]:
    """Contributions whose thread's top-level contribution is tagged with the topic (itself
    included): a reply belongs to the topic of the thread it answers.

    One lookup of the thread's tag per contribution read (OFFSET 0, as in shown_in_lists):
    as a join, PostgreSQL read every tag of the topic to filter a few new contributions."""
    thread_root = func.coalesce(Contribution.thread_root_id, Contribution.id)
    tag = select(ContributionTopic.contribution_id).where(
        ContributionTopic.contribution_id == thread_root, ContributionTopic.topic_id == topic_id
    )
    return tag.offset(0).exists()


#: Made once: building an alias inspects the mapper, about a millisecond each time.
_REPLY = aliased(Contribution, name="reply")


def shown_in_lists() -> ColumnElement[bool]:
    """Leaves out contributions their author withdrew that nobody answered: with replies, a
    withdrawn contribution stays as a marker, so the replies keep their context."""
    reply = _REPLY
    # OFFSET 0 keeps PostgreSQL from turning this into a hashed subplan, which reads the whole
    # table once any withdrawn row is met; as written it is one index probe per withdrawn row.
    answered = (
        select(reply.id)
        .where(reply.key_message_id == Contribution.key_message_id, reply.parent_id == Contribution.id)
        .offset(0)
        .exists()
    )
    return or_(Contribution.status != ContributionStatus.WITHDRAWN, answered)
