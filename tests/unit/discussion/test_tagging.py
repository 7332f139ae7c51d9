"""Tagging contributions with topics, and reading them back by topic."""

from __future__ import annotations

import pytest

from app.discussion.errors import ContributionError
from app.discussion.models import ContributionStatus, ContributionTopic
from app.discussion.publication import NEGOTIATORS, PUBLIC
from app.discussion.topic_read import contributions_on_topic, count_on_topic, topic_counts
from app.discussion.topics import MAX_TOPICS, replace_tags, topic_named, topic_slugs_of, validated_topics
from app.moderation.models import ModerationAction
from app.moderation.services import set_visibility
from app.security.roles import Role
from tests.factories import make_position, make_reply, make_user


async def test_topics_are_validated_against_the_consultations_vocabulary(db, consultation):
    topics = await validated_topics(db, consultation.id, ("gender", "remittances", "gender"))
    assert [topic.slug for topic in topics] == ["remittances", "gender"]  # vocabulary order, once each
    assert await validated_topics(db, consultation.id, ()) == []
    with pytest.raises(ContributionError, match="Choose topics from the list") as error:
        await validated_topics(db, consultation.id, ("remittances", "astrology"))
    assert error.value.field == "topics"


async def test_at_most_five_topics(db, consultation):
    slugs = tuple(topic.slug for topic in consultation.topics[: MAX_TOPICS + 1])
    assert len(await validated_topics(db, consultation.id, slugs[:MAX_TOPICS])) == MAX_TOPICS
    with pytest.raises(ContributionError, match="at most 5 topics; you chose 6") as error:
        await validated_topics(db, consultation.id, slugs)
    assert error.value.field == "topics"


async def test_a_position_and_a_reply_are_tagged(db, consultation):
    author = await make_user(db)
    position = await make_position(db, consultation, author=author, topics=("diaspora", "remittances"))
    reply = await make_reply(db, author=author, parent=position, topics=("children",))
    assert await topic_slugs_of(db, position.id) == ["remittances", "diaspora"]
    assert await topic_slugs_of(db, reply.id) == ["children"]


async def test_replacing_tags_keeps_removes_and_adds(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("diaspora", "gender"))
    kept_row = await db.get(ContributionTopic, (contribution.id, topic_named(consultation.topics, "gender").id))
    await replace_tags(db, contribution, await validated_topics(db, consultation.id, ("gender", "children")))
    assert await topic_slugs_of(db, contribution.id) == ["gender", "children"]
    assert await db.get(ContributionTopic, (contribution.id, topic_named(consultation.topics, "gender").id)) is kept_row
    await replace_tags(db, contribution, [])
    assert await topic_slugs_of(db, contribution.id) == []


async def test_counts_and_pages_show_visible_contributions_the_audience_may_see(db, consultation):
    author, moderator = await make_user(db), await make_user(db, role=Role.MODERATOR)
    slug = "statelessness"  # no other test tags it
    older = await make_position(db, consultation, author=author, ref="RT2-KM2", topics=(slug,))
    unpublished = await make_position(
        db, consultation, author=author, ref="RT3-KM1", topics=(slug,), publication="not_for_publication"
    )
    hidden = await make_position(db, consultation, author=author, topics=(slug,))
    reply = await make_reply(db, author=author, parent=older, topics=(slug,))
    await make_position(db, consultation, author=author, topics=("gender",))
    await set_visibility(
        db, moderator=moderator, contribution=hidden, action=ModerationAction.HIDE, reason="Off topic."
    )
    assert hidden.status is ContributionStatus.HIDDEN
    topic = topic_named(consultation.topics, slug)
    assert topic is not None

    public = await contributions_on_topic(db, topic, cursor=None, page_size=20, audience=PUBLIC)
    negotiators = await contributions_on_topic(db, topic, cursor=None, page_size=20, audience=NEGOTIATORS)

    assert [node.contribution.id for node in public.nodes] == [reply.id, older.id]  # newest first
    assert [node.contribution.id for node in negotiators.nodes] == [reply.id, unpublished.id, older.id]
    assert public.nodes[0].contribution.topics[0].slug == slug  # extras attached
    assert await count_on_topic(db, topic, PUBLIC) == 2 and await count_on_topic(db, topic, NEGOTIATORS) == 3
    counts = {entry.topic.slug: entry.contributions for entry in await topic_counts(db, consultation, PUBLIC)}
    assert counts[slug] == 2 and len(counts) == len(consultation.topics)


async def test_pages_follow_each_other_without_gaps_or_repeats(db, consultation):
    author = await make_user(db)
    made = [
        await make_position(db, consultation, author=author, body=f"Number {n}.", topics=("education",))
        for n in range(5)
    ]
    topic = topic_named(consultation.topics, "education")
    assert topic is not None
    seen, cursor = [], None
    for _page in range(3):
        page = await contributions_on_topic(db, topic, cursor=cursor, page_size=2, audience=PUBLIC)
        seen += [node.contribution.id for node in page.nodes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(made)] and cursor is None
