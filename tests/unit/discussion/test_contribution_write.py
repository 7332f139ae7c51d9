"""Rules for publishing positions and replies."""

from __future__ import annotations

import pytest

from app.discussion.contribution_write import ContributionError, Draft, publish_position, publish_reply
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user


async def publish(db, consultation, author, **draft):
    defaults = {"body": "Text.", "submission_key": "key-12345678", "position": "support"}
    return await publish_position(
        db,
        author=author,
        consultation=consultation,
        key_message=key_message(consultation, "RT1-KM1"),
        draft=Draft(**{**defaults, **draft}),
        max_chars=100,
    )


async def test_a_position_must_be_one_of_the_consultations(db, consultation):
    author = await make_user(db)
    with pytest.raises(ContributionError) as error:
        await publish(db, consultation, author, position="strongly_agree")
    assert error.value.field == "position"


@pytest.mark.parametrize("body", ["", "   \n  "])
async def test_an_empty_body_is_refused(db, consultation, body):
    with pytest.raises(ContributionError, match="Write your contribution"):
        await publish(db, consultation, await make_user(db), body=body)


async def test_a_long_body_is_refused_with_its_length(db, consultation):
    with pytest.raises(ContributionError, match="101 characters long; the limit is 100"):
        await publish(db, consultation, await make_user(db), body="x" * 101)


async def test_the_same_submission_key_publishes_once(db, consultation):
    author = await make_user(db)
    first = await publish(db, consultation, author)
    again = await publish(db, consultation, author, body="A retried request.")
    assert first.created and not again.created
    assert again.contribution.id == first.contribution.id


async def test_html_in_the_body_is_never_rendered(db, consultation):
    result = await publish(
        db,
        consultation,
        await make_user(db),
        body="<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **ok**",
    )
    html = result.contribution.body_html
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.replace("(javascript:", "")
    assert "<strong>ok</strong>" in html and "&lt;script&gt;" in html


async def test_the_author_speaks_for_their_organisation_and_only_theirs(db, consultation):
    organisation = await make_organisation(db, name="Migrant Rights Network")
    author = await make_user(db, organisation=organisation)
    assert (await publish(db, consultation, author)).contribution.organisation_id == organisation.id
    stranger = await make_organisation(db, name="Someone Else")
    with pytest.raises(ContributionError) as error:
        await publish(db, consultation, author, submission_key="another-key-1", organisation_id=stranger.id)
    assert error.value.field == "organisation_id"


async def test_replies_nest_to_any_depth_without_a_position(db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    parent = root
    for depth in range(1, 8):
        parent = await make_reply(db, author=author, parent=parent)
        assert (parent.depth, parent.thread_root_id, parent.position) == (depth, root.id, None)
        assert parent.key_message_id == root.key_message_id


async def test_a_bad_submission_key_is_refused(db, consultation):
    with pytest.raises(ContributionError, match="out of date"):
        await publish(db, consultation, await make_user(db), submission_key="<bad>")
    author = await make_user(db)
    root = await make_position(db, consultation, author=author)
    with pytest.raises(ContributionError):
        await publish_reply(
            db,
            author=author,
            parent=root,
            key_message=key_message(consultation, "RT2-KM3"),
            draft=Draft(body="x", submission_key="short"),
            max_chars=10,
        )
