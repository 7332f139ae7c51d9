"""Live news: what was written after a page's newest id, as its reader may see it."""

from __future__ import annotations

from app.discussion import live
from app.discussion.live import latest_contribution_id, live_state, news_since
from app.discussion.models import ContributionStatus
from app.discussion.publication import NEGOTIATORS, PUBLIC
from tests.factories import key_message, make_position, make_reply, make_user


async def test_the_state_is_the_version_of_the_key_message(db, consultation):
    message = key_message(consultation, "RT2-KM3")
    before = await live_state(db, consultation.slug, "RT2-KM3")
    await make_position(db, consultation, author=await make_user(db))
    after = await live_state(db, consultation.slug, "RT2-KM3")
    assert before.key_message_id == message.id and after.version == before.version + 1
    assert await live_state(db, consultation.slug, "RT9-KM9") is None


async def test_news_is_what_came_after_as_the_audience_may_see_it(db, consultation):
    author, reader = await make_user(db, name="Lamine Faye"), await make_user(db)
    message_id = key_message(consultation, "RT2-KM3").id
    since = await latest_contribution_id(db, message_id)
    shown = await make_position(db, consultation, author=author)
    unpublished = await make_position(db, consultation, author=author, publication="not_for_publication")
    hidden = await make_position(db, consultation, author=author)
    hidden.status = ContributionStatus.HIDDEN
    await make_position(db, consultation, author=reader)  # the reader's own
    reply = await make_reply(db, author=author, parent=unpublished)
    await db.flush()

    public = await news_since(db, message_id, after=since, audience=PUBLIC, reader_id=reader.id, topic_id=None)
    assert [c.id for c in public.contributions] == [shown.id, reply.id]
    assert public.in_reply_to(public.contributions[1]).parent is None  # not for public eyes
    assert public.last_id == reply.id and public.complete

    negotiators = await news_since(db, message_id, after=since, audience=NEGOTIATORS, reader_id=None, topic_id=None)
    assert unpublished.id in [c.id for c in negotiators.contributions]
    assert negotiators.in_reply_to(negotiators.contributions[-1]).parent.id == unpublished.id


async def test_nothing_new_keeps_the_place_and_a_cap_says_more_are_waiting(db, consultation, monkeypatch):
    monkeypatch.setattr(live, "NEWS_PER_POLL", 2)
    message_id = key_message(consultation, "RT2-KM3").id
    since = await latest_contribution_id(db, message_id)
    empty = await news_since(db, message_id, after=since, audience=PUBLIC, reader_id=None, topic_id=None)
    assert empty.contributions == [] and empty.last_id == since and empty.complete
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author) for _ in range(3)]
    capped = await news_since(db, message_id, after=since, audience=PUBLIC, reader_id=None, topic_id=None)
    assert [c.id for c in capped.contributions] == [c.id for c in created[:2]] and not capped.complete


async def test_a_topic_keeps_new_positions_on_it_and_replies_in_their_threads(db, consultation):
    author = await make_user(db)
    message_id = key_message(consultation, "RT2-KM3").id
    since = await latest_contribution_id(db, message_id)
    tagged = await make_position(db, consultation, author=author, topics=("gender",))
    await make_position(db, consultation, author=author, topics=("children",))
    reply = await make_reply(db, author=author, parent=tagged)
    gender = next(t.id for t in consultation.topics if t.slug == "gender")
    news = await news_since(db, message_id, after=since, audience=PUBLIC, reader_id=None, topic_id=gender)
    assert [c.id for c in news.contributions] == [tagged.id, reply.id]
