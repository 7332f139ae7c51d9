"""Reading discussions a page at a time, never a whole thread.

A key message page loads one page of top-level contributions and, in one more query, the
first replies of each down to a set depth; deeper replies are reached through "continue
this thread" links to thread pages (app.discussion.thread_tree). Lists are built from plain
rows into small read-only views: building ORM objects was most of a page's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, OrganisationType, User, VerificationState
from app.consultation.models import Topic
from app.discussion.list_order import (
    SortOrder,
    after_cursor,
    encode_cursor,
    shown_in_lists,
    sibling_ordering,
    tagged_with,
)
from app.discussion.models import (
    Attachment,
    Contribution,
    ContributionStatus,
    ContributionTopic,
    Endorsement,
    PublicationConsent,
)
from app.discussion.publication import Audience, Byline, byline, listed_for

#: Replies shown under each top-level contribution on the key message page: enough to show
#: a conversation, few enough that a page of 20 busy threads stays under 150 KB for a
#: signed-in reader too (reply and endorse links on every item; measured in bench/);
#: "Read the whole thread" links to the rest.
REPLIES_PER_THREAD = 4
#: Levels of replies shown under a contribution (settings.thread_depth is what pages use).
DEFAULT_DEPTH_LIMIT = 3


@dataclass(frozen=True, slots=True)
class AuthorView:
    display_name: str
    erased: bool = False  #: the person deleted their account


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    name: str
    type: OrganisationType
    country: str
    verification: VerificationState


@dataclass(frozen=True, slots=True)
class TopicView:
    slug: str
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    original_name: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class EndorserView:
    """An organisation that endorsed a contribution (endorsements are always public)."""

    organisation: OrganisationView


@dataclass(frozen=True, slots=True)
class ContributionView:
    """What a page shows of a contribution, with publication consent already applied:
    `author` is None when the person may not be named to this audience, `organisation`
    None when the organisation may not be (or there is none). Build one with `to_view` or
    `view_of`, never from a model by hand."""

    id: int
    key_message_id: int
    parent_id: int | None
    thread_root_id: int | None
    depth: int
    position: str | None
    body_html: str
    status: ContributionStatus
    moderation_reason: str | None
    created_at: datetime
    edited_at: datetime | None
    language: str | None
    publication: PublicationConsent
    byline: Byline
    author: AuthorView | None
    organisation: OrganisationView | None
    amendment_text: str | None
    quote_text: str | None
    quote_start: int | None
    endorsement_count: int
    #: Filled by attach_extras for the contributions of a page.
    topics: list[TopicView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    endorsers: list[EndorserView] = field(default_factory=list)


_LISTED_COLUMNS = (
    Contribution.id,
    Contribution.key_message_id,
    Contribution.parent_id,
    Contribution.thread_root_id,
    Contribution.depth,
    Contribution.position,
    Contribution.body_html,
    Contribution.status,
    Contribution.moderation_reason,
    Contribution.created_at,
    Contribution.edited_at,
    Contribution.language,
    Contribution.publication,
    Contribution.amendment_text,
    Contribution.quote_text,
    Contribution.quote_start,
    Contribution.endorsement_count,
    User.display_name,
    User.erased_at.is_not(None),
    Organisation.id,
    Organisation.name,
    Organisation.type,
    Organisation.country,
    Organisation.verification,
)


_COLUMN_COUNT = len(_LISTED_COLUMNS)


def listing(audience: Audience, *extra: Any) -> Select[*tuple[Any, ...]]:
    """Contributions with their people, restricted to those `audience` may see at all."""
    return (
        select(*_LISTED_COLUMNS, *extra)
        .join(User, User.id == Contribution.author_id)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(listed_for(audience))
    )


def to_view(row: Any, audience: Audience) -> ContributionView:
    (
        identifier,
        key_message_id,
        parent_id,
        thread_root_id,
        depth,
        position,
        body_html,
        status,
        moderation_reason,
        created_at,
        edited_at,
        language,
        publication,
        amendment_text,
        quote_text,
        quote_start,
        endorsement_count,
        author_name,
        author_erased,
        organisation_id,
        organisation_name,
        organisation_type,
        country,
        verification,
    ) = row[:_COLUMN_COUNT]
    shown = byline(publication, audience)
    return ContributionView(
        id=identifier,
        key_message_id=key_message_id,
        parent_id=parent_id,
        thread_root_id=thread_root_id,
        depth=depth,
        position=position,
        body_html=body_html,
        status=status,
        moderation_reason=moderation_reason,
        created_at=created_at,
        edited_at=edited_at,
        language=language,
        publication=publication,
        byline=shown,
        author=AuthorView(author_name, bool(author_erased)) if shown.person else None,
        organisation=None
        if organisation_id is None or not shown.organisation
        else OrganisationView(organisation_id, organisation_name, organisation_type, country, verification),
        amendment_text=amendment_text,
        quote_text=quote_text,
        quote_start=quote_start,
        endorsement_count=endorsement_count,
    )


async def view_of(db: AsyncSession, contribution_id: int, audience: Audience) -> ContributionView | None:
    """One contribution as `audience` may see it (None if not at all), with its extras."""
    row = (await db.execute(listing(audience).where(Contribution.id == contribution_id))).first()
    if row is None:
        return None
    view = to_view(row, audience)
    await attach_extras(db, [view])
    return view


async def attach_extras(db: AsyncSession, views: list[ContributionView]) -> None:
    """Topics, attachments and endorsers of the contributions of a page: three queries."""
    by_id = {view.id: view for view in views}
    if not by_id:
        return
    topic_rows = await db.execute(
        select(ContributionTopic.contribution_id, Topic.slug, Topic.labels)
        .join(Topic, Topic.id == ContributionTopic.topic_id)
        .where(ContributionTopic.contribution_id.in_(by_id))
        .order_by(Topic.position)
    )
    for contribution_id, slug, labels in topic_rows:
        by_id[contribution_id].topics.append(TopicView(slug, labels))
    attachment_rows = await db.execute(
        select(Attachment.contribution_id, Attachment.id, Attachment.original_name, Attachment.size_bytes)
        .where(Attachment.contribution_id.in_(by_id))
        .order_by(Attachment.id)
    )
    for contribution_id, attachment_id, name, size in attachment_rows:
        by_id[contribution_id].attachments.append(AttachmentView(attachment_id, name, size))
    endorser_rows = await db.execute(
        select(
            Endorsement.contribution_id,
            Organisation.id,
            Organisation.name,
            Organisation.type,
            Organisation.country,
            Organisation.verification,
        )
        .join(Organisation, Organisation.id == Endorsement.organisation_id)
        .where(Endorsement.contribution_id.in_([view.id for view in views if view.endorsement_count]))
        .order_by(Endorsement.created_at, Endorsement.id)
    )
    for contribution_id, organisation_id, name, kind, country, verification in endorser_rows:
        organisation = OrganisationView(organisation_id, name, kind, country, verification)
        by_id[contribution_id].endorsers.append(EndorserView(organisation))


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
    rows = (await db.execute(rows_of_page(keys.limit(page_size + 1), sibling_ordering(sort), audience))).all()
    roots = [to_view(row, audience) for row in rows[:page_size]]
    nodes = await _attach_first_replies(db, key_message_id, roots, audience, depth_limit)
    return ThreadPage(nodes, encode_cursor(sort, roots[-1]) if len(rows) > page_size else None)


async def _attach_first_replies(
    db: AsyncSession, key_message_id: int, roots: list[ContributionView], audience: Audience, depth_limit: int
) -> list[Node]:
    """The first REPLIES_PER_THREAD replies of each thread (oldest first, within the depth
    limit), ranked by the database however many replies the threads have."""
    if not roots:
        return []
    root_ids = [root.id for root in roots]
    ranked = (
        select(
            Contribution.id,
            func.row_number()
            .over(partition_by=Contribution.thread_root_id, order_by=(Contribution.created_at, Contribution.id))
            .label("rank"),
        )
        .where(
            Contribution.thread_root_id.in_(root_ids),
            Contribution.depth <= depth_limit,
            listed_for(audience),
            shown_in_lists(),
        )
        .subquery()
    )
    replies = await views_by_id(
        db, list(await db.scalars(select(ranked.c.id).where(ranked.c.rank <= REPLIES_PER_THREAD))), audience
    )
    await attach_extras(db, [*roots, *replies])
    totals = await _replies_per_thread(db, root_ids, audience)
    nodes = {root.id: Node(root, reply_count=totals.get(root.id, 0)) for root in roots}
    nest(nodes, replies)
    at_limit = [node for node in nodes.values() if node.contribution.depth == depth_limit]
    await count_unloaded_replies(db, key_message_id, at_limit, audience)
    return [nodes[root.id] for root in roots]


async def _replies_per_thread(db: AsyncSession, root_ids: list[int], audience: Audience) -> dict[int, int]:
    rows = await db.execute(
        select(Contribution.thread_root_id, func.count())
        .where(Contribution.thread_root_id.in_(root_ids), listed_for(audience), shown_in_lists())
        .group_by(Contribution.thread_root_id)
    )
    return {root_id: count for root_id, count in rows if root_id is not None}


def rows_of_page(keys: Select[int], order: tuple[Any, ...], audience: Audience) -> Select[*tuple[Any, ...]]:
    """The rows of the page of ids `keys` selects (ordered by `order`, limited). Choosing
    the bare ids first lets the database stop early and join people for the page only."""
    return listing(audience).where(Contribution.id.in_(keys.order_by(*order).scalar_subquery())).order_by(*order)


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


async def is_on_first_page(db: AsyncSession, contribution: Contribution, page_size: int) -> bool:
    """Whether a top-level contribution is among the first `page_size` of its key message,
    i.e. on the page a key message opens with."""
    earlier = await db.scalar(
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.key_message_id == contribution.key_message_id,
            Contribution.parent_id.is_(None),
            shown_in_lists(),
            or_(
                Contribution.created_at < contribution.created_at,
                and_(Contribution.created_at == contribution.created_at, Contribution.id < contribution.id),
            ),
        )
    )
    return (earlier or 0) < page_size


async def contribution_with_people(db: AsyncSession, contribution_id: int) -> Contribution | None:
    """One contribution as a model (it may be changed), with its author and organisation."""
    return await db.scalar(
        select(Contribution)
        .options(joinedload(Contribution.author), joinedload(Contribution.organisation))
        .where(Contribution.id == contribution_id)
    )
