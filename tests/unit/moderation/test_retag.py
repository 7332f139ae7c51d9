"""Moderators correct topics: a reason, the vocabulary and its limit, a log of real changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.consultation.models import KeyMessage
from app.discussion.topics import topic_slugs_of
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, moderation_history, retag
from app.security.roles import Role
from tests.factories import make_position, make_user


async def version_of(db, contribution) -> int:
    return await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == contribution.key_message_id))


async def test_a_retag_changes_the_tags_and_logs_before_and_after(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("diaspora", "remittances"))
    version = await version_of(db, contribution)

    changed = await retag(
        db,
        moderator=moderator,
        contribution=contribution,
        topics=["remittances", "gender"],
        reason="It is about women sending money home.",
    )

    assert changed
    assert await topic_slugs_of(db, contribution.id) == ["remittances", "gender"]
    assert await version_of(db, contribution) == version + 1  # cached pages of the discussion are stale
    [entry] = await moderation_history(db, contribution.id)
    assert (entry.action, entry.tag, entry.moderator_id) == (
        ModerationAction.RETAG,
        "moderation:contribution:retag",
        moderator.id,
    )
    assert entry.reason == "It is about women sending money home."
    assert entry.details == {"before": ["remittances", "diaspora"], "after": ["remittances", "gender"]}


async def test_the_same_topics_again_change_and_log_nothing(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("children",))
    version = await version_of(db, contribution)

    changed = await retag(
        db, moderator=moderator, contribution=contribution, topics=["children", "children"], reason="Checked it."
    )

    assert not changed
    assert await moderation_history(db, contribution.id) == []
    assert await version_of(db, contribution) == version


async def test_all_topics_can_be_removed(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("health",))
    assert await retag(
        db,
        moderator=await make_user(db, role=Role.MODERATOR),
        contribution=contribution,
        topics=[],
        reason="Not about health at all.",
    )
    assert await topic_slugs_of(db, contribution.id) == []
    [entry] = await moderation_history(db, contribution.id)
    assert entry.details == {"before": ["health"], "after": []}


@pytest.mark.parametrize(
    ("topics", "reason", "field"),
    [
        (["gender"], "", "reason"),
        (["gender"], "ok", "reason"),
        (["gender", "astrology"], "A good reason.", "topics"),
        (["remittances", "diaspora", "brain-drain", "gender", "children", "health"], "A good reason.", "topics"),
    ],
)
async def test_a_retag_needs_a_reason_and_topics_of_the_vocabulary(db, consultation, topics, reason, field):
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("education",))
    with pytest.raises(ModerationError) as error:
        await retag(
            db,
            moderator=await make_user(db, role=Role.MODERATOR),
            contribution=contribution,
            topics=topics,
            reason=reason,
        )
    assert error.value.field == field
    assert await topic_slugs_of(db, contribution.id) == ["education"]
    assert await moderation_history(db, contribution.id) == []
