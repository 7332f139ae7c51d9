"""The hot paths of issue 10, for test_query_plans.py: each calls the real code with real
arguments on the busy site (busy_site.py), as the pages, feeds and forms do."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage, Topic
from app.consultation.services import all_key_messages, consultation_by_slug
from app.db import utcnow
from app.discussion.amendments import amendments_page, proposed_amendments
from app.discussion.contribution_write import opens_the_list
from app.discussion.list_order import SortOrder
from app.discussion.live import latest_contribution_id, live_state, news_since, topic_id_by_slug
from app.discussion.models import Contribution, ContributionTopic
from app.discussion.organisation_contributions import profile_topics, public_contributions
from app.discussion.own_contributions import own_contributions, own_topics
from app.discussion.posting_limits import PostingLimits, check_posting_limits
from app.discussion.presenters import view_of
from app.discussion.publication import NEGOTIATORS, PUBLIC, Audience
from app.discussion.quotes import count_quoting, quoted_passages, quoting_contributions
from app.discussion.supersession import current_positions
from app.discussion.tallies import tallies
from app.discussion.thread_read import contribution_with_people, key_message_threads, readable_among
from app.discussion.thread_tree import subthread_page
from app.discussion.topic_read import contributions_on_topic, count_on_topic, topic_counts
from app.feeds.services import recent_contributions
from app.organisations.models import Membership, Organisation
from tests.conftest import SEED_SLUG
from tests.unit.discussion.busy_site import BusySite

PAGE, DEPTH = 20, 3


class Subject(enum.Enum):
    """What a path is about: what its counts may read, and how much it grew with the copies."""

    KEY_MESSAGE = "the key message's contributions"
    CONSULTATION = "the consultation's contributions"
    TOPIC = "the topic's tags in the consultation"
    PERSON = "the person's contributions"
    ORGANISATION = "the organisation's contributions"


@dataclass(frozen=True)
class HotPath:
    """`run` is recorded; `prepare` (unrecorded) finds what it needs, e.g. a first page's cursor."""

    name: str
    run: Callable[[AsyncSession, BusySite, Any], Awaitable[object]]
    prepare: Callable[[AsyncSession, BusySite], Awaitable[Any]] | None = None
    subject: Subject = Subject.KEY_MESSAGE
    #: Its lists, too, read all of the subject rather than a page: known, and said why where
    #: the path is listed (HOT_PATHS).
    whole_subject: bool = False


# The key message page: its list in every order, filtered by topic, and "Show more" ----------


async def _threads(db: AsyncSession, site: BusySite, sort: SortOrder, **options: Any) -> Any:
    return await key_message_threads(
        db, site.key_message_id, page_size=PAGE, depth_limit=DEPTH, sort=sort, **{"audience": PUBLIC, **options}
    )


def _first_page(sort: SortOrder, *, topic: bool = False, audience: Audience = PUBLIC) -> HotPath:
    async def run(db: AsyncSession, site: BusySite, _prepared: None) -> object:
        await latest_contribution_id(db, site.key_message_id)
        topic_id = site.topic_id if topic else None
        return await _threads(db, site, sort, cursor=None, topic_id=topic_id, audience=audience)

    who = "" if audience is PUBLIC else ", as negotiators"
    return HotPath(f"key message page, {sort.value}{', on a topic' if topic else ''}{who}", run, whole_subject=topic)


def _show_more(sort: SortOrder, *, topic: bool = False) -> HotPath:
    async def prepare(db: AsyncSession, site: BusySite) -> str:
        first = await _threads(db, site, sort, cursor=None, topic_id=site.topic_id if topic else None)
        assert first.next_cursor is not None
        return cast(str, first.next_cursor)

    async def run(db: AsyncSession, site: BusySite, cursor: str) -> object:
        return await _threads(db, site, sort, cursor=cursor, topic_id=site.topic_id if topic else None)

    return HotPath(f"show more, {sort.value}{', on a topic' if topic else ''}", run, prepare, whole_subject=topic)


# A thread page -----------------------------------------------------------------------------


def _thread_page(*, more: bool) -> HotPath:
    """The oldest thread (hundreds of replies, one of them with a thousand of its own), as
    its page reads it, or its second page of direct replies."""

    async def prepare(db: AsyncSession, site: BusySite) -> str | None:
        if not more:
            return None
        head = await view_of(db, site.root_id, PUBLIC)
        assert head is not None
        first = await subthread_page(db, head, cursor=None, page_size=PAGE, audience=PUBLIC, depth_limit=DEPTH)
        return first.next_cursor

    async def run(db: AsyncSession, site: BusySite, cursor: str | None) -> object:
        contribution = await contribution_with_people(db, site.root_id)
        assert contribution is not None
        head = await view_of(db, contribution.id, PUBLIC)
        assert head is not None
        await readable_among(db, [head.parent_id, head.thread_root_id], PUBLIC, None)
        return await subthread_page(db, head, cursor=cursor, page_size=PAGE, audience=PUBLIC, depth_limit=DEPTH)

    return HotPath("thread page, show more" if more else "thread page", run, prepare)


async def _crowded_reply(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    head = await view_of(db, site.crowded_reply_id, PUBLIC)
    assert head is not None
    return await subthread_page(db, head, cursor=None, page_size=PAGE, audience=PUBLIC, depth_limit=DEPTH)


# Live updates ------------------------------------------------------------------------------


async def _poll_without_after(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    state = await live_state(db, SEED_SLUG, await _ref(db, site))
    assert state is not None
    return await latest_contribution_id(db, state.key_message_id)


def _poll_with_after(*, topic: bool, reader: bool) -> HotPath:
    async def prepare(db: AsyncSession, site: BusySite) -> int:
        return await latest_contribution_id(db, site.key_message_id) - 3 * PAGE

    async def run(db: AsyncSession, site: BusySite, after: int) -> object:
        state = await live_state(db, SEED_SLUG, await _ref(db, site))
        assert state is not None
        slug = await db.scalar(select(Topic.slug).where(Topic.id == site.topic_id)) if topic else None
        topic_id = await topic_id_by_slug(db, state.consultation.id, slug)
        reader_id = site.busiest_author_id if reader else None
        return await news_since(
            db, site.key_message_id, after=after, audience=PUBLIC, reader_id=reader_id, topic_id=topic_id
        )

    name = f"live news{', on a topic' if topic else ''}{', signed in' if reader else ''}"
    return HotPath(name, run, prepare)


async def _ref(db: AsyncSession, site: BusySite) -> str:
    return cast(str, await db.scalar(select(KeyMessage.ref).where(KeyMessage.id == site.key_message_id)))


# Tallies, amendments, quoted passages -------------------------------------------------------


async def _tally(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    return await tallies(db, [site.key_message_id])


async def _consultation_and_message(db: AsyncSession, site: BusySite) -> tuple[Consultation, KeyMessage]:
    consultation = await consultation_by_slug(db, SEED_SLUG)
    assert consultation is not None
    return consultation, next(m for m in all_key_messages(consultation) if m.id == site.key_message_id)


async def _amendments(db: AsyncSession, site: BusySite, found: tuple[Consultation, KeyMessage]) -> object:
    return await proposed_amendments(db, *found, PUBLIC)


def _amendments_page(*, topic: bool) -> HotPath:
    async def run(db: AsyncSession, site: BusySite, found: tuple[Consultation, KeyMessage]) -> object:
        topic_id = site.topic_id if topic else None
        first = await amendments_page(db, *found, PUBLIC, cursor=None, page_size=PAGE, topic_id=topic_id)
        return await amendments_page(db, *found, PUBLIC, cursor=first.next_cursor, page_size=PAGE, topic_id=topic_id)

    name = f"amendments page{', on a topic' if topic else ''}"
    return HotPath(name, run, _consultation_and_message, whole_subject=topic)


async def _quoted(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    passages = await quoted_passages(db, site.key_message_id, PUBLIC)
    passage = (passages[0].start, passages[0].end)
    page = await quoting_contributions(db, site.key_message_id, passage, audience=PUBLIC, cursor=None, page_size=PAGE)
    await quoting_contributions(
        db, site.key_message_id, passage, audience=PUBLIC, cursor=page.next_cursor, page_size=PAGE
    )
    return await count_quoting(db, site.key_message_id, passage, PUBLIC)


# Topic pages and feeds ---------------------------------------------------------------------


async def _topic(db: AsyncSession, site: BusySite) -> tuple[Consultation, Topic]:
    consultation, _message = await _consultation_and_message(db, site)
    return consultation, next(topic for topic in consultation.topics if topic.id == site.topic_id)


async def _topic_index(db: AsyncSession, site: BusySite, found: tuple[Consultation, Topic]) -> object:
    return await topic_counts(db, found[0], PUBLIC)


async def _topic_page(db: AsyncSession, site: BusySite, found: tuple[Consultation, Topic]) -> object:
    _consultation, topic = found
    first = await contributions_on_topic(db, topic, cursor=None, page_size=PAGE, audience=PUBLIC)
    await contributions_on_topic(db, topic, cursor=first.next_cursor, page_size=PAGE, audience=PUBLIC)
    return await count_on_topic(db, topic, PUBLIC)


async def _consultation_feed(db: AsyncSession, site: BusySite, found: tuple[Consultation, Topic]) -> object:
    consultation, _topic = found
    return await recent_contributions(db, [message.id for message in all_key_messages(consultation)])


async def _topic_feed(db: AsyncSession, site: BusySite, found: tuple[Consultation, Topic]) -> object:
    consultation, topic = found
    return await recent_contributions(db, [message.id for message in all_key_messages(consultation)], topic_id=topic.id)


async def _key_message_feed(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    return await recent_contributions(db, [site.key_message_id])


# A person's and an organisation's contributions --------------------------------------------


async def _author(db: AsyncSession, site: BusySite) -> User:
    return await db.get_one(
        User,
        site.busiest_author_id,
        options=[selectinload(User.memberships).selectinload(Membership.organisation)],
    )


async def _favourite_topic(db: AsyncSession, whose: ColumnElement[bool]) -> str:
    """The slug most of someone's contributions are tagged with: its list has pages."""
    slug = await db.scalar(
        select(Topic.slug)
        .join(ContributionTopic, ContributionTopic.topic_id == Topic.id)
        .join(Contribution, Contribution.id == ContributionTopic.contribution_id)
        .where(whose)
        .group_by(Topic.slug)
        .order_by(func.count().desc(), Topic.slug)
    )
    return cast(str, slug)


def _own(*, topic: bool) -> HotPath:
    """A page of the person's own contributions and the next ("Show more")."""

    async def run(db: AsyncSession, site: BusySite, slug: str | None) -> object:
        author, now = site.busiest_author_id, utcnow()
        page = await own_contributions(db, author, cursor=None, topic=slug, page_size=PAGE, window_minutes=15, now=now)
        assert page.next_cursor is not None
        cursor = page.next_cursor
        return await own_contributions(
            db, author, cursor=cursor, topic=slug, page_size=PAGE, window_minutes=15, now=now
        )

    async def prepare(db: AsyncSession, site: BusySite) -> str | None:
        return await _favourite_topic(db, Contribution.author_id == site.busiest_author_id) if topic else None

    return HotPath(f"own contributions{', on a topic' if topic else ''}", run, prepare, Subject.PERSON, topic)


async def _own_topics(db: AsyncSession, site: BusySite, _prepared: None) -> object:
    return await own_topics(db, site.busiest_author_id)


def _organisation_page(*, topic: bool) -> HotPath:
    """A page of the contributions an organisation's profile lists and the next."""

    async def run(db: AsyncSession, site: BusySite, found: tuple[Organisation, str | None]) -> object:
        organisation, slug = found
        page = await public_contributions(db, organisation, cursor=None, topic=slug, page_size=PAGE)
        assert page.next_cursor is not None
        return await public_contributions(db, organisation, cursor=page.next_cursor, topic=slug, page_size=PAGE)

    async def prepare(db: AsyncSession, site: BusySite) -> tuple[Organisation, str | None]:
        mine = Contribution.organisation_id == site.busiest_organisation_id
        return await _organisation(db, site), await _favourite_topic(db, mine) if topic else None

    name = f"organisation page{', on a topic' if topic else ''}"
    return HotPath(name, run, prepare, Subject.ORGANISATION, whole_subject=topic)


async def _organisation_topics(db: AsyncSession, site: BusySite, organisation: Organisation) -> object:
    return await profile_topics(db, organisation)


async def _organisation(db: AsyncSession, site: BusySite) -> Organisation:
    return await db.get_one(Organisation, site.busiest_organisation_id)


# Posting -----------------------------------------------------------------------------------


async def _posting_limits(db: AsyncSession, site: BusySite, author: User) -> object:
    await check_posting_limits(db, author, "A new text.", PostingLimits(per_minute=10, duplicate_window_minutes=10))
    return None


async def _current_positions(db: AsyncSession, site: BusySite, author: User) -> object:
    return await current_positions(db, site.key_message_id, author)


async def _newest_position(db: AsyncSession, site: BusySite) -> Contribution:
    newest = await db.scalar(
        select(Contribution)
        .where(Contribution.key_message_id == site.key_message_id, Contribution.parent_id.is_(None))
        .order_by(Contribution.created_at.desc())
        .limit(1)
    )
    assert newest is not None
    return newest


async def _after_posting(db: AsyncSession, site: BusySite, newest: Contribution) -> object:
    """Whether a new position shows on the first page (the answer to a post)."""
    return await opens_the_list(db, newest, PAGE)


# A list filtered by a topic is read in its own order, keeping those on the topic: it reads
# as far as it takes to find a page of them (whole_subject), at most all of its key
# message's, person's or organisation's contributions, never another's.
HOT_PATHS = [
    *(_first_page(sort) for sort in SortOrder),
    _first_page(SortOrder.OLDEST, audience=NEGOTIATORS),
    *(_first_page(sort, topic=True) for sort in SortOrder),
    *(_show_more(sort) for sort in SortOrder),
    _show_more(SortOrder.OLDEST, topic=True),
    _thread_page(more=False),
    _thread_page(more=True),
    HotPath("thread page of a reply with a thousand replies", _crowded_reply),
    HotPath("live poll without after", _poll_without_after),
    _poll_with_after(topic=False, reader=False),
    _poll_with_after(topic=False, reader=True),
    _poll_with_after(topic=True, reader=False),
    HotPath("amendments", _amendments, _consultation_and_message),
    _amendments_page(topic=False),
    _amendments_page(topic=True),
    HotPath("quoted passages", _quoted),
    # The counts of every topic of a consultation read all its tags; the filters' choices read
    # all of a person's or an organisation's contributions: counts at heart.
    HotPath("topic index", _topic_index, _topic, Subject.CONSULTATION, whole_subject=True),
    HotPath("own contributions' topics", _own_topics, subject=Subject.PERSON, whole_subject=True),
    HotPath("organisation page's topics", _organisation_topics, _organisation, Subject.ORGANISATION, True),
    # A topic's newest contributions are found among all the topic's tags: a page that reads
    # only itself would need the tags to carry the contribution's time (an index on
    # (topic_id, created_at)), a change of the tagging code, not of a query.
    HotPath("topic page", _topic_page, _topic, Subject.TOPIC, whole_subject=True),
    HotPath("topic feed", _topic_feed, _topic, Subject.TOPIC, whole_subject=True),
    HotPath("consultation feed", _consultation_feed, _topic, Subject.CONSULTATION),
    HotPath("key message feed", _key_message_feed),
    _organisation_page(topic=False),
    _organisation_page(topic=True),
    _own(topic=False),
    _own(topic=True),
    HotPath("posting limits", _posting_limits, _author, Subject.PERSON),
    HotPath("current positions on the form", _current_positions, _author),
    HotPath("after posting: on the first page?", _after_posting, _newest_position),
    # Tallies as they are read today; a table kept up to date by the writes is to replace it.
    HotPath("tallies", _tally),
]
