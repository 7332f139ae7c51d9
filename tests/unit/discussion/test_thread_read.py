"""Tallies and paged threads: depth limit, "continue" counts, sort orders with keyset paging,
the topic filter, withdrawn contributions, and publication consent in every listing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.discussion import thread_tree
from app.discussion.list_order import ListQuery, SortOrder, parse_list_query
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import view_of
from app.discussion.publication import NEGOTIATORS, PUBLIC
from app.discussion.tallies import tallies
from app.discussion.thread_read import REPLIES_PER_THREAD, key_message_threads
from app.discussion.thread_tree import subthread_page
from app.organisations.models import OrganisationType
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user


async def test_tally_counts_visible_top_level_positions_by_type(db, consultation):
    ngo = await make_user(db, organisation=await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY))
    government = await make_user(db, organisation=await make_organisation(db, type=OrganisationType.GOVERNMENT))
    individual = await make_user(db, with_organisation=False)
    await make_position(db, consultation, author=ngo, position="support")
    await make_position(db, consultation, author=government, position="oppose")
    # Another government, as each organisation has one current position (the later would count).
    other_government = await make_organisation(db, type=OrganisationType.GOVERNMENT)
    hidden = await make_position(
        db, consultation, author=await make_user(db, organisation=other_government), position="support"
    )
    hidden.status = ContributionStatus.HIDDEN
    root = await make_position(db, consultation, author=individual, position="neutral")
    await make_reply(db, author=ngo, parent=root)
    await db.flush()
    tally = (await tallies(db, [key_message(consultation, "RT2-KM3").id]))[key_message(consultation, "RT2-KM3").id]
    assert tally.total == 3
    assert dict(tally.by_position) == {"support": 1, "oppose": 1, "neutral": 1}
    assert {kind: dict(counter) for kind, counter in tally.by_type.items()} == {
        "civil_society": {"support": 1},
        "government": {"oppose": 1},
        "individual": {"neutral": 1},
    }


async def pages(db, message_id: int, *, page_size: int, sort: SortOrder = SortOrder.OLDEST, **kwargs) -> list[int]:
    """Every top-level id, following the cursors to the end; fails on a page seen twice."""
    ids, cursor, seen = [], None, set()
    while True:
        page = await key_message_threads(
            db, message_id, cursor=cursor, page_size=page_size, audience=PUBLIC, sort=sort, **kwargs
        )
        ids += [node.contribution.id for node in page.nodes]
        if page.next_cursor is None:
            return ids
        assert page.next_cursor not in seen
        seen.add(page.next_cursor)
        cursor = page.next_cursor


async def chain(db, root: Contribution, length: int) -> list[Contribution]:
    """Replies each answering the one before: depth 1 … length under `root`."""
    replies, parent = [], root
    for _ in range(length):
        parent = await make_reply(db, author=root.author, parent=parent)
        replies.append(parent)
    return replies


def ids_of(nodes) -> list[int]:
    return [node.contribution.id for node in nodes]


async def test_threads_come_a_page_at_a_time_oldest_first(db, consultation):
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author, body=f"Position {i}") for i in range(5)]
    assert await pages(db, created[0].key_message_id, page_size=2) == [c.id for c in created]


async def test_only_the_first_replies_of_a_thread_are_loaded_with_the_page(db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    child = await make_reply(db, author=author, parent=root)
    grandchild = await make_reply(db, author=author, parent=child)
    for _ in range(REPLIES_PER_THREAD):
        await make_reply(db, author=author, parent=root)
    page = await key_message_threads(db, root.key_message_id, cursor=None, page_size=10, audience=PUBLIC)
    [node] = page.nodes
    assert node.reply_count == REPLIES_PER_THREAD + 2
    assert node.loaded_replies == REPLIES_PER_THREAD
    assert node.children[0].contribution.id == child.id
    assert node.children[0].children[0].contribution.id == grandchild.id


async def test_replies_past_the_depth_limit_are_not_loaded_and_counted_for_continue(db, consultation):
    root = await make_position(db, consultation, author=await make_user(db))
    replies = await chain(db, root, 5)  # depths 1 to 5
    sibling = await make_reply(db, author=root.author, parent=replies[2])  # a second reply at depth 4
    page = await key_message_threads(db, root.key_message_id, cursor=None, page_size=10, audience=PUBLIC, depth_limit=3)
    [node] = page.nodes
    depth1 = node.children[0]
    depth3 = depth1.children[0].children[0]
    assert depth3.contribution.id == replies[2].id and depth3.children == []
    assert depth3.more_replies == 2  # replies[3] and sibling: its direct replies
    assert node.loaded_replies == 3 and node.reply_count == 6
    assert {n.contribution.id for n in (depth1, depth1.children[0], depth3)}.isdisjoint({sibling.id, replies[3].id})


async def test_a_thread_page_shows_the_subtree_of_its_head_with_the_same_depth_limit(db, consultation):
    root = await make_position(db, consultation, author=await make_user(db))
    replies = await chain(db, root, 7)
    head = await view_of(db, replies[2].id, PUBLIC)  # depth 3
    page = await subthread_page(db, head, cursor=None, page_size=10, audience=PUBLIC, depth_limit=3)
    [first] = page.nodes
    assert first.contribution.id == replies[3].id  # depth 4: one level under the head
    third = first.children[0].children[0]
    assert third.contribution.id == replies[5].id and third.children == []
    assert third.more_replies == 1  # replies[6]: reached through its own thread page
    deeper = await subthread_page(
        db, await view_of(db, replies[5].id, PUBLIC), cursor=None, page_size=10, audience=PUBLIC, depth_limit=3
    )
    assert ids_of(deeper.nodes) == [replies[6].id]


async def test_a_thread_page_pages_through_the_direct_replies_of_its_head(db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    direct = [await make_reply(db, author=author, parent=root) for _ in range(5)]
    nested = await make_reply(db, author=author, parent=direct[0])
    head = await view_of(db, root.id, PUBLIC)
    first = await subthread_page(db, head, cursor=None, page_size=3, audience=PUBLIC, depth_limit=3)
    second = await subthread_page(db, head, cursor=first.next_cursor, page_size=3, audience=PUBLIC, depth_limit=3)
    assert ids_of(first.nodes) == [r.id for r in direct[:3]]
    assert ids_of(first.nodes[0].children) == [nested.id]
    assert ids_of(second.nodes) == [r.id for r in direct[3:]] and second.next_cursor is None


async def test_a_level_cap_gives_every_parent_its_first_reply_before_anyone_a_second(
    db, consultation, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(thread_tree, "LEVEL_CAP", 3)
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    busy, quiet = await make_reply(db, author=author, parent=root), await make_reply(db, author=author, parent=root)
    busy_replies = [await make_reply(db, author=author, parent=busy) for _ in range(4)]
    quiet_reply = await make_reply(db, author=author, parent=quiet)
    page = await subthread_page(
        db, await view_of(db, root.id, PUBLIC), cursor=None, page_size=10, audience=PUBLIC, depth_limit=3
    )
    busy_node, quiet_node = page.nodes
    assert ids_of(quiet_node.children) == [quiet_reply.id]
    assert ids_of(busy_node.children) == [r.id for r in busy_replies[:2]]
    assert busy_node.more_replies == 2 and quiet_node.more_replies == 0


async def same_moment(db, contributions: list[Contribution], moment: datetime) -> None:
    for contribution in contributions:
        contribution.created_at = moment
    await db.flush()


async def test_newest_first_pages_across_ties_without_gaps_or_repeats(db, consultation):
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author) for _ in range(7)]
    await same_moment(db, created[2:6], datetime(2030, 1, 1, tzinfo=UTC))
    ids = await pages(db, created[0].key_message_id, page_size=2, sort=SortOrder.NEWEST)
    c0, c1, c2, c3, c4, c5, c6 = (c.id for c in created)
    assert ids == [c5, c4, c3, c2, c6, c1, c0]  # the tie at the newest moment, by id, then the rest


async def test_oldest_first_pages_across_ties(db, consultation):
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author) for _ in range(5)]
    await same_moment(db, created, datetime(2020, 1, 1, tzinfo=UTC))
    assert await pages(db, created[0].key_message_id, page_size=2) == [c.id for c in created]


async def test_most_endorsed_first_then_newest_among_equals(db, consultation):
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author) for _ in range(6)]
    for contribution, count in zip(created, [0, 3, 1, 3, 0, 3], strict=True):
        contribution.endorsement_count = count
    await db.flush()
    ids = await pages(db, created[0].key_message_id, page_size=2, sort=SortOrder.ENDORSED)
    a, b, c, d, e, f = (x.id for x in created)
    assert ids == [f, d, b, c, e, a]


async def test_a_cursor_that_does_not_fit_the_order_starts_from_the_beginning(db, consultation):
    author = await make_user(db)
    first = await make_position(db, consultation, author=author)
    second = await make_position(db, consultation, author=author)
    oldest = await key_message_threads(db, first.key_message_id, cursor=None, page_size=1, audience=PUBLIC)
    for sort, cursor in [
        (SortOrder.OLDEST, "garbage"),
        (SortOrder.NEWEST, "not-a-date_12"),
        (SortOrder.ENDORSED, oldest.next_cursor),  # a date cursor given to the endorsement order
        (SortOrder.ENDORSED, "e1_x"),
    ]:
        page = await key_message_threads(
            db, first.key_message_id, cursor=cursor, page_size=5, audience=PUBLIC, sort=sort
        )
        assert {second.id, first.id} <= set(ids_of(page.nodes)), (sort, cursor)


async def test_the_topic_filter_keeps_top_level_contributions_tagged_with_it(db, consultation):
    author = await make_user(db)
    tagged = await make_position(db, consultation, author=author, topics=("remittances", "diaspora"))
    await make_position(db, consultation, author=author, topics=("diaspora",))
    await make_position(db, consultation, author=author)
    reply = await make_reply(db, author=author, parent=tagged)
    remittances = next(t.id for t in consultation.topics if t.slug == "remittances")
    page = await key_message_threads(
        db, tagged.key_message_id, cursor=None, page_size=10, audience=PUBLIC, topic_id=remittances
    )
    assert ids_of(page.nodes) == [tagged.id]
    assert ids_of(page.nodes[0].children) == [reply.id]  # its thread comes with it


async def test_withdrawn_without_replies_is_not_listed_and_with_replies_stays_as_a_marker(db, consultation):
    author = await make_user(db)
    alone = await make_position(db, consultation, author=author)
    answered = await make_position(db, consultation, author=author)
    reply = await make_reply(db, author=author, parent=answered)
    lone_reply = await make_reply(db, author=author, parent=answered)
    for contribution in (alone, answered, lone_reply):
        contribution.status = ContributionStatus.WITHDRAWN
    await db.flush()
    page = await key_message_threads(db, alone.key_message_id, cursor=None, page_size=10, audience=PUBLIC)
    assert ids_of(page.nodes) == [answered.id]
    [node] = page.nodes
    assert node.contribution.status is ContributionStatus.WITHDRAWN
    assert ids_of(node.children) == [reply.id] and node.reply_count == 1
    thread = await subthread_page(
        db, await view_of(db, answered.id, PUBLIC), cursor=None, page_size=10, audience=PUBLIC, depth_limit=3
    )
    assert ids_of(thread.nodes) == [reply.id]


async def test_not_for_publication_is_listed_for_negotiators_only_and_anonymous_has_no_names(db, consultation):
    author = await make_user(db, name="Fatou Sarr")
    unpublished = await make_position(db, consultation, author=author, publication="not_for_publication")
    anonymous = await make_position(db, consultation, author=author, publication="anonymous")
    hidden_reply = await make_reply(db, author=author, parent=anonymous, publication="not_for_publication")
    public = await key_message_threads(db, anonymous.key_message_id, cursor=None, page_size=10, audience=PUBLIC)
    assert ids_of(public.nodes) == [anonymous.id]
    [node] = public.nodes
    assert node.contribution.author is None and node.contribution.organisation is None
    assert node.children == [] and node.reply_count == 0
    negotiators = await key_message_threads(
        db, anonymous.key_message_id, cursor=None, page_size=10, audience=NEGOTIATORS
    )
    assert ids_of(negotiators.nodes) == [unpublished.id, anonymous.id]
    assert ids_of(negotiators.nodes[1].children) == [hidden_reply.id]
    assert negotiators.nodes[1].contribution.author is None  # negotiators do not see withheld names


def test_list_query_falls_back_on_unknown_values_and_keeps_choices_in_links():
    slugs = ["remittances"]
    assert parse_list_query({"sort": "loudest", "topic": "nope"}, slugs) == ListQuery()
    query = parse_list_query({"sort": "endorsed", "topic": "remittances", "after": "e2_9"}, slugs)
    assert query == ListQuery(SortOrder.ENDORSED, "remittances", "e2_9") and not query.is_default
    assert query.query_string(after="e1_4") == "?sort=endorsed&topic=remittances&after=e1_4"
    assert ListQuery().query_string(after="x y") == "?after=x+y" and ListQuery().is_default
