"""Posting limits per person: so many contributions a minute, and not the same text twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.db import utcnow
from app.discussion.contribution_write import Draft, publish_position, publish_reply
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution
from app.discussion.posting_limits import UNLIMITED, PostingLimits, check_posting_limits
from app.settings import Settings, load_settings
from tests.factories import key_message, make_position, make_user

THREE_A_MINUTE = PostingLimits(per_minute=3, duplicate_window_minutes=0)
NO_REPEATS = PostingLimits(per_minute=0, duplicate_window_minutes=10)


async def posted(db, consultation, author, count, *, ago=timedelta(0)):
    made = [await make_position(db, consultation, author=author, body=f"Point number {n}.") for n in range(count)]
    if ago:
        await db.execute(
            update(Contribution)
            .where(Contribution.id.in_([c.id for c in made]))
            .values(created_at=utcnow() - ago)
            .execution_options(synchronize_session=False)
        )
    return made


async def test_below_the_limit_a_person_may_post(db, consultation):
    author = await make_user(db)
    await posted(db, consultation, author, 2)
    await check_posting_limits(db, author, "A third point.", THREE_A_MINUTE)


async def test_at_the_limit_the_next_post_is_refused_with_the_wait(db, consultation):
    author = await make_user(db)
    await posted(db, consultation, author, 3)
    with pytest.raises(ContributionError) as refused:
        await check_posting_limits(db, author, "A fourth point.", THREE_A_MINUTE)
    assert refused.value.field == "body"
    assert "You can publish 3 contributions a minute" in refused.value.message
    seconds = int(refused.value.message.rpartition(" in ")[2].split()[0])
    assert 50 <= seconds <= 60


async def test_posts_older_than_a_minute_do_not_count(db, consultation):
    author = await make_user(db)
    await posted(db, consultation, author, 5, ago=timedelta(seconds=61))
    await posted(db, consultation, author, 2)
    await check_posting_limits(db, author, "Another point.", THREE_A_MINUTE)


async def test_each_person_has_their_own_count(db, consultation):
    busy, other = await make_user(db), await make_user(db)
    await posted(db, consultation, busy, 3)
    await check_posting_limits(db, other, "My first point.", THREE_A_MINUTE)


async def test_the_same_text_twice_within_the_window_is_refused(db, consultation):
    author = await make_user(db)
    await make_position(db, consultation, author=author, body="We support this.")
    with pytest.raises(ContributionError, match="less than 10 minutes ago") as refused:
        await check_posting_limits(db, author, "We support this.", NO_REPEATS)
    assert refused.value.field == "body"
    await check_posting_limits(db, author, "We support this, with one change.", NO_REPEATS)


async def test_the_same_text_after_the_window_or_by_someone_else_is_accepted(db, consultation):
    author, other = await make_user(db), await make_user(db)
    [old] = await posted(db, consultation, author, 1, ago=timedelta(minutes=11))
    await check_posting_limits(db, author, old.body_source, NO_REPEATS)
    await make_position(db, consultation, author=other, body="Shared wording.")
    await check_posting_limits(db, author, "Shared wording.", NO_REPEATS)


async def test_zero_turns_both_rules_off(db, consultation):
    author = await make_user(db)
    await posted(db, consultation, author, 12)
    await check_posting_limits(db, author, "Point number 0.", UNLIMITED)
    assert not UNLIMITED.active


def test_the_limits_come_from_the_settings(settings: Settings):
    chosen = replace(settings, posting_limit_per_minute=25, duplicate_text_window_minutes=3)
    assert PostingLimits.of(chosen) == PostingLimits(per_minute=25, duplicate_window_minutes=3)


def test_the_defaults_are_ten_a_minute_and_ten_minutes():
    defaults = load_settings({"ROUNDTABLE_ENV": "test", "SECRET_KEY": "x"})
    assert PostingLimits.of(defaults) == PostingLimits(per_minute=10, duplicate_window_minutes=10)


# -- through the services people post with ------------------------------------------------


async def test_publishing_a_position_checks_the_limits(db, consultation):
    author = await make_user(db)
    await posted(db, consultation, author, 3)
    draft = Draft(body="One too many.", submission_key="limit-key-0001", position="support")
    with pytest.raises(ContributionError, match="3 contributions a minute"):
        await publish_position(
            db,
            author=author,
            consultation=consultation,
            key_message=key_message(consultation, "RT1-KM1"),
            draft=draft,
            max_chars=1000,
            limits=THREE_A_MINUTE,
        )


async def test_publishing_a_reply_checks_the_limits(db, consultation):
    author = await make_user(db)
    [parent] = await posted(db, consultation, author, 1)
    with pytest.raises(ContributionError, match="less than 10 minutes ago"):
        await publish_reply(
            db,
            author=author,
            parent=parent,
            key_message=key_message(consultation, "RT2-KM3"),
            draft=Draft(body=parent.body_source, submission_key="limit-key-0002"),
            max_chars=1000,
            limits=NO_REPEATS,
        )


async def test_a_resent_form_returns_the_original_and_is_never_refused(db, consultation):
    """A second click or a retry sends the same submission key: it is not a new post."""
    author = await make_user(db)

    async def send():
        return await publish_position(
            db,
            author=author,
            consultation=consultation,
            key_message=key_message(consultation, "RT1-KM2"),
            draft=Draft(body="Sent twice by a double click.", submission_key="resent-key-01", position="neutral"),
            max_chars=1000,
            limits=PostingLimits(per_minute=3, duplicate_window_minutes=10),
        )

    first = await send()
    await posted(db, consultation, author, 2)  # now at the limit of three
    again = await send()
    assert first.created and not again.created
    assert again.contribution.id == first.contribution.id


async def test_a_resent_reply_returns_the_original_and_is_never_refused(db, consultation):
    author = await make_user(db)
    [parent] = await posted(db, consultation, author, 1)

    async def send():
        return await publish_reply(
            db,
            author=author,
            parent=parent,
            key_message=key_message(consultation, "RT2-KM3"),
            draft=Draft(body="A reply sent twice.", submission_key="resent-key-02"),
            max_chars=1000,
            limits=PostingLimits(per_minute=2, duplicate_window_minutes=10),
        )

    first = await send()  # now at the limit of two, and the text is taken
    again = await send()
    assert (again.created, again.contribution.id) == (False, first.contribution.id)
