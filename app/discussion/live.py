"""Live updates: readers with JavaScript see new contributions without reloading.

A key message page carries a poller (htmx, every settings.live_poll_seconds) that asks
whether the discussion changed since the version it was rendered at. The database is the
only shared state, so this works however many app processes serve the site:

- unchanged: one indexed read of KeyMessage.discussion_version, and 204 (htmx does nothing);
- changed: the contributions with an id above the last one the page knows, as this reader
  may see them (publication consent, like every list), and a new poller.

Ids come from one sequence, so "above the last id" is what was written since; a write that
commits after a later one (milliseconds apart) can be missed until the next reload. New
replies are shown in the same list as new positions, each with a link to what it answers:
placing them under their parents would need the parents on the page, which they often are
not (another page of the list, past the depth shown)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from app.consultation.models import Consultation, KeyMessage, Topic
from app.discussion.list_order import in_thread_tagged_with
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, attach_extras, listing, to_view
from app.discussion.publication import Audience
from app.discussion.thread_read import Node, latest_contribution_query
from app.urls import path_for

#: New contributions sent in one answer; more wait for the next poll.
NEWS_PER_POLL = 20


@dataclass(frozen=True)
class Poller:
    """Where and how often a page asks for news."""

    url: str
    seconds: int


def poller(
    consultation: Consultation, message: KeyMessage, *, version: int, after: int, topic: str | None, seconds: int
) -> Poller:
    params = {"v": version, "after": after, **({"topic": topic} if topic else {})}
    path = path_for("live_news", slug=consultation.slug, ref=message.ref)
    return Poller(f"{path}?{urlencode(params)}", seconds)


@dataclass(frozen=True)
class LiveState:
    consultation: Consultation
    key_message_id: int
    version: int


async def live_state(db: AsyncSession, slug: str, ref: str) -> LiveState | None:
    """The key message's discussion version, with its consultation (for the read
    permission), in one query: what every poll costs when nothing changed."""
    row = (
        await db.execute(
            select(Consultation, KeyMessage.id, KeyMessage.discussion_version)
            .join(KeyMessage, KeyMessage.consultation_id == Consultation.id)
            .where(Consultation.slug == slug, KeyMessage.ref == ref)
            .options(lazyload(Consultation.topics))
        )
    ).first()
    return None if row is None else LiveState(*row)


async def latest_contribution_id(db: AsyncSession, key_message_id: int) -> int:
    """The newest id on the key message, whoever may see it: where a page's news starts."""
    return await db.scalar(latest_contribution_query(key_message_id)) or 0


async def topic_id_by_slug(db: AsyncSession, consultation_id: int, slug: str | None) -> int | None:
    """The topic a poller filters on; an unknown slug filters nothing, like the page does."""
    if not slug:
        return None
    return await db.scalar(select(Topic.id).where(Topic.consultation_id == consultation_id, Topic.slug == slug))


@dataclass(frozen=True)
class InReplyTo:
    reply_id: int
    parent: ContributionView | None  #: None when it is not for this reader's eyes


@dataclass(frozen=True)
class News:
    contributions: list[ContributionView]
    #: What each new reply answers, as this reader may see it (absent: not for their eyes).
    parents: dict[int, ContributionView]
    #: The id the next poll starts after.
    last_id: int
    #: False when more were waiting than one answer carries.
    complete: bool

    def node(self, view: ContributionView) -> Node:
        return Node(view)

    def in_reply_to(self, view: ContributionView) -> InReplyTo | None:
        if view.parent_id is None:
            return None
        return InReplyTo(view.id, self.parents.get(view.parent_id))


async def news_since(
    db: AsyncSession,
    key_message_id: int,
    *,
    after: int,
    audience: Audience,
    reader_id: int | None,
    topic_id: int | None,
) -> News:
    """Visible contributions written after `after`, oldest first, except the reader's own
    (their page shows those already, from the answer to their post)."""
    query = listing(audience).where(
        Contribution.key_message_id == key_message_id,
        Contribution.id > after,
        Contribution.status == ContributionStatus.VISIBLE,
    )
    if reader_id is not None:
        query = query.where(Contribution.author_id != reader_id)
    if topic_id is not None:
        query = query.where(in_thread_tagged_with(topic_id))
    rows = (await db.execute(query.order_by(Contribution.id).limit(NEWS_PER_POLL + 1))).all()
    views = [to_view(row, audience) for row in rows[:NEWS_PER_POLL]]
    await attach_extras(db, views)
    return News(
        contributions=views,
        parents=await _parents(db, views, audience),
        last_id=views[-1].id if views else after,
        complete=len(rows) <= NEWS_PER_POLL,
    )


async def _parents(db: AsyncSession, views: list[ContributionView], audience: Audience) -> dict[int, ContributionView]:
    wanted = {view.parent_id for view in views if view.parent_id is not None}
    if not wanted:
        return {}
    rows = await db.execute(listing(audience).where(Contribution.id.in_(wanted)))
    return {view.id: view for view in (to_view(row, audience) for row in rows)}
