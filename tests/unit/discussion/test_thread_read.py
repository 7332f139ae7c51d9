"""Tallies and paged threads."""

from __future__ import annotations

from app.accounts.models import OrganisationType
from app.discussion.models import ContributionStatus
from app.discussion.publication import PUBLIC
from app.discussion.tallies import tallies
from app.discussion.thread_read import REPLIES_PER_THREAD, key_message_threads, thread_replies
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user


async def test_tally_counts_visible_top_level_positions_by_type(db, consultation):
    ngo = await make_user(db, organisation=await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY))
    government = await make_user(db, organisation=await make_organisation(db, type=OrganisationType.GOVERNMENT))
    individual = await make_user(db, with_organisation=False)
    await make_position(db, consultation, author=ngo, position="support")
    await make_position(db, consultation, author=government, position="oppose")
    hidden = await make_position(db, consultation, author=government, position="support")
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


async def test_threads_come_a_page_at_a_time_oldest_first(db, consultation):
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author, body=f"Position {i}") for i in range(5)]
    message_id = created[0].key_message_id
    first = await key_message_threads(db, message_id, cursor=None, page_size=2, audience=PUBLIC)
    second = await key_message_threads(db, message_id, cursor=first.next_cursor, page_size=2, audience=PUBLIC)
    third = await key_message_threads(db, message_id, cursor=second.next_cursor, page_size=2, audience=PUBLIC)
    ids = [n.contribution.id for page in (first, second, third) for n in page.nodes]
    assert ids == [c.id for c in created]
    assert third.next_cursor is None


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


async def test_a_thread_page_lists_every_reply_across_pages(db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    replies = [await make_reply(db, author=author, parent=root) for _ in range(5)]
    first = await thread_replies(db, root, cursor=None, page_size=3, audience=PUBLIC)
    second = await thread_replies(db, root, cursor=first.next_cursor, page_size=3, audience=PUBLIC)
    # Parents on the page are nested; replies whose parent is elsewhere stand at the top.
    assert [n.contribution.id for n in first.nodes] == [r.id for r in replies[:3]]
    assert [n.contribution.id for n in second.nodes] == [r.id for r in replies[3:]]
    assert second.next_cursor is None


async def test_a_malformed_cursor_starts_from_the_beginning(db, consultation):
    author = await make_user(db)
    first = await make_position(db, consultation, author=author)
    page = await key_message_threads(db, first.key_message_id, cursor="garbage", page_size=5, audience=PUBLIC)
    assert page.nodes[0].contribution.id == first.id
