"""Merging a duplicate thread: into what, logged once, and the thread it continues in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.consultation.models import KeyMessage
from app.discussion.models import PublicationConsent
from app.moderation.merges import merge_thread, merged_into, thread_number
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, moderation_history, set_visibility
from app.security.roles import Role
from tests.factories import make_position, make_reply, make_user


async def version_of(db, contribution) -> int:
    return await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == contribution.key_message_id))


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 12 ", 12), ("/contributions/12", 12), ("https://site.example/contributions/12#c40", 12)],
)
def test_a_thread_is_named_by_its_number_or_address(text, number):
    assert thread_number(text) == number


@pytest.mark.parametrize("text", ["", "twelve", "-12", "1 2", "1" * 10, "/contributions/", "12\x00"])
def test_anything_else_is_not_a_thread(text):
    with pytest.raises(ModerationError):
        thread_number(text)


async def test_merging_logs_once_and_every_contribution_of_the_thread_knows_where_it_continues(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    duplicate = await make_position(db, consultation, author=await make_user(db))
    reply = await make_reply(db, author=await make_user(db), parent=duplicate)
    kept = await make_position(db, consultation, author=await make_user(db))
    version = await version_of(db, duplicate)

    merged = await merge_thread(db, moderator=moderator, root=duplicate, into_id=kept.id, reason="Asked twice.")

    assert merged is not None and merged.into_id == kept.id
    assert await version_of(db, duplicate) == version + 1
    assert (await merged_into(db, duplicate), await merged_into(db, reply), await merged_into(db, kept)) == (
        kept.id,
        kept.id,
        None,
    )
    assert await merge_thread(db, moderator=moderator, root=duplicate, into_id=kept.id, reason="Again.") is None
    [entry] = await moderation_history(db, duplicate.id)
    assert (entry.action, entry.details, entry.reason) == (ModerationAction.MERGE, {"into": kept.id}, "Asked twice.")


async def test_a_thread_is_merged_only_into_another_open_thread_of_its_key_message(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    duplicate = await make_position(db, consultation, author=await make_user(db))
    reply = await make_reply(db, author=await make_user(db), parent=duplicate)
    elsewhere = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM1")
    hidden = await make_position(db, consultation, author=await make_user(db))
    await set_visibility(db, moderator=moderator, contribution=hidden, action=ModerationAction.HIDE, reason="Spam.")
    private = await make_position(
        db, consultation, author=await make_user(db), publication=PublicationConsent.NOT_FOR_PUBLICATION
    )
    closed = await make_position(db, consultation, author=await make_user(db))
    target = await make_position(db, consultation, author=await make_user(db))
    await merge_thread(db, moderator=moderator, root=closed, into_id=target.id, reason="A duplicate.")

    for into in (duplicate.id, reply.id, elsewhere.id, hidden.id, private.id, closed.id, 999_999):
        with pytest.raises(ModerationError) as refused:
            await merge_thread(db, moderator=moderator, root=duplicate, into_id=into, reason="A duplicate.")
        assert refused.value.field == "into"
    with pytest.raises(ModerationError):
        await merge_thread(db, moderator=moderator, root=reply, into_id=target.id, reason="Only a reply.")
    assert await merged_into(db, duplicate) is None
