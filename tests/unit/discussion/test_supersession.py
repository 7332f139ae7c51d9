"""One current position per speaker on a key message: an organisation (whichever member
posts) or a person speaking for themselves. A later position supersedes the earlier."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.consultation.models import KeyMessage
from app.demo.generator import generate_demo_data
from app.discussion.amendments import amendments_page, proposed_amendments
from app.discussion.contribution_edit import withdraw_contribution
from app.discussion.contribution_write import PERSONAL
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import PUBLIC, Audience
from app.discussion.supersession import current_positions, may_link_current
from app.discussion.tallies import tallies
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user

REF = "RT2-KM2"


async def tally_of(db, consultation):
    message_id = key_message(consultation, REF).id
    return (await tallies(db, [message_id]))[message_id]


async def test_an_organisation_that_changes_its_position_counts_once(db, consultation):
    organisation = await make_organisation(db)
    await make_position(db, consultation, author=await make_user(db, organisation=organisation), ref=REF)
    await make_position(
        db, consultation, author=await make_user(db, organisation=organisation), ref=REF, position="oppose"
    )
    tally = await tally_of(db, consultation)
    assert dict(tally.by_position) == {"oppose": 1}


async def test_the_earlier_position_points_at_the_current_one(db, consultation):
    organisation = await make_organisation(db)
    member, colleague = [await make_user(db, organisation=organisation) for _ in range(2)]
    first = await make_position(db, consultation, author=member, ref=REF)
    second = await make_position(db, consultation, author=colleague, ref=REF, position="neutral")
    third = await make_position(db, consultation, author=member, ref=REF, position="oppose")
    # Every earlier one links straight to the current one, not along a chain.
    assert (first.superseded_by_id, second.superseded_by_id, third.superseded_by_id) == (third.id, third.id, None)
    assert dict((await tally_of(db, consultation)).by_position) == {"oppose": 1}


async def test_speakers_are_the_organisation_and_the_person_for_themselves(db, consultation):
    organisation = await make_organisation(db)
    member = await make_user(db, organisation=organisation)
    for_organisation = await make_position(db, consultation, author=member, ref=REF)
    personal = await make_position(db, consultation, author=member, ref=REF, organisation_id=PERSONAL)
    other_member_personally = await make_position(
        db, consultation, author=await make_user(db, organisation=organisation), ref=REF, organisation_id=PERSONAL
    )
    elsewhere = await make_position(db, consultation, author=member, ref="RT2-KM3")
    assert [c.superseded_by_id for c in (for_organisation, personal, other_member_personally, elsewhere)] == [None] * 4
    assert (await tally_of(db, consultation)).total == 3
    again = await make_position(db, consultation, author=member, ref=REF, organisation_id=PERSONAL, position="oppose")
    await db.refresh(personal)
    assert personal.superseded_by_id == again.id and for_organisation.superseded_by_id is None


async def test_replies_are_not_positions_and_are_not_limited(db, consultation):
    member = await make_user(db)
    position = await make_position(db, consultation, author=member, ref=REF)
    replies = [await make_reply(db, author=member, parent=position) for _ in range(3)]
    assert [r.superseded_by_id for r in [position, *replies]] == [None] * 4


async def test_a_withdrawn_current_position_leaves_the_speaker_with_none(db, consultation):
    member = await make_user(db)
    first = await make_position(db, consultation, author=member, ref=REF)
    second = await make_position(db, consultation, author=member, ref=REF, position="oppose")
    await withdraw_contribution(db, contribution=second, consultation=consultation)
    assert (await tally_of(db, consultation)).total == 0, "the superseded one does not come back"
    assert first.superseded_by_id == second.id
    third = await make_position(db, consultation, author=member, ref=REF, position="neutral")
    assert (first.superseded_by_id, second.superseded_by_id) == (third.id, third.id)
    assert dict((await tally_of(db, consultation)).by_position) == {"neutral": 1}


async def test_a_hidden_position_is_superseded_like_any_other(db, consultation):
    member = await make_user(db)
    hidden = await make_position(db, consultation, author=member, ref=REF)
    hidden.status = ContributionStatus.HIDDEN
    await db.flush()
    current = await make_position(db, consultation, author=member, ref=REF, position="oppose")
    assert hidden.superseded_by_id == current.id


async def test_the_database_refuses_a_second_current_position(db, consultation):
    """The rule holds in the database too, whatever code writes."""
    organisation = await make_organisation(db)
    first = await make_position(db, consultation, author=await make_user(db, organisation=organisation), ref=REF)
    colleague = await make_user(db, organisation=organisation)
    for organisation_id, author in ((organisation.id, colleague), (None, first.author)):
        if organisation_id is None:
            await make_position(db, consultation, author=author, ref=REF, organisation_id=PERSONAL)
        with pytest.raises(IntegrityError):
            async with db.begin_nested():
                db.add(
                    Contribution(
                        key_message_id=first.key_message_id,
                        author_id=author.id,
                        organisation_id=organisation_id,
                        position="oppose",
                        body_source="x",
                        body_html="<p>x</p>",
                        submission_key=secrets.token_hex(8),
                    )
                )
                await db.flush()


async def test_a_superseded_amendment_is_no_longer_proposed(db, consultation):
    member = await make_user(db)
    message = key_message(consultation, REF)
    earlier = await make_position(db, consultation, author=member, ref=REF, position="support_with_amendments")
    summary = await proposed_amendments(db, consultation, message, PUBLIC)
    assert [view.id for view in summary.shown] == [earlier.id]
    await make_position(db, consultation, author=member, ref=REF, position="oppose")
    assert (await proposed_amendments(db, consultation, message, PUBLIC)).total == 0
    page = await amendments_page(db, consultation, message, PUBLIC, cursor=None, page_size=5)
    assert page.amendments == [] and page.total == 0


async def test_the_form_shows_each_speakers_current_position(db, consultation):
    organisation = await make_organisation(db, name="Coalition for the Form")
    member = await make_user(db, organisation=organisation)
    colleague = await make_user(db, organisation=organisation)
    await make_position(db, consultation, author=colleague, ref=REF, position="oppose")
    withdrawn = await make_position(db, consultation, author=member, ref=REF, organisation_id=PERSONAL)
    await withdraw_contribution(db, contribution=withdrawn, consultation=consultation)
    await make_position(db, consultation, author=await make_user(db), ref=REF)  # another organisation
    shown = await current_positions(db, key_message(consultation, REF).id, member)
    assert [(p.organisation_name, p.position) for p in shown] == [("Coalition for the Form", "oppose")]
    mine = await make_position(db, consultation, author=member, ref=REF, organisation_id=PERSONAL)
    shown = await current_positions(db, key_message(consultation, REF).id, member)
    assert [(p.organisation_name, p.id) for p in shown][1:] == [(None, mine.id)]


@pytest.mark.parametrize(
    ("earlier", "current", "public", "moderators"),
    [
        ("named", "named", True, True),
        ("named", "organisation_only", True, True),
        ("anonymous", "named", False, True),
        ("named", "anonymous", False, True),
        ("anonymous", "anonymous", False, True),
        ("named", "not_for_publication", False, True),
    ],
)
def test_the_link_to_the_current_position_never_ties_an_anonymous_one_to_its_speaker(
    earlier, current, public, moderators
):
    consents = {"earlier": PublicationConsent(earlier), "current": PublicationConsent(current)}
    assert may_link_current(PUBLIC, personal=False, **consents) is public
    assert may_link_current(Audience(True, True), personal=False, **consents) is moderators


def test_a_personal_position_links_only_when_the_person_is_named_on_both():
    consents = {"earlier": PublicationConsent.NAMED, "current": PublicationConsent.NAMED}
    assert may_link_current(PUBLIC, personal=True, **consents)
    assert not may_link_current(PUBLIC, personal=True, earlier=PublicationConsent.NAMED, current=None)


async def test_a_key_message_still_deletes_with_its_superseded_positions(db, consultation):
    """Superseded positions never come back, so the database refuses to delete the current
    one alone; deleting a whole key message takes them all together."""
    member = await make_user(db)
    first = await make_position(db, consultation, author=member, ref=REF)
    current = await make_position(db, consultation, author=member, ref=REF, position="oppose")
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await db.execute(delete(Contribution).where(Contribution.id == current.id))
    async with db.begin_nested():
        await db.execute(delete(KeyMessage).where(KeyMessage.id == first.key_message_id))
    remaining = await db.scalar(select(func.count()).where(Contribution.key_message_id == first.key_message_id))
    assert remaining == 0


async def test_demo_data_keeps_one_current_position_per_speaker_across_runs(db, consultation):
    """The latest posted (the largest id) is current; within a run, ids grow with time."""
    ends = []
    for seed in (3, 3):  # the second run reuses the first run's organisations
        await generate_demo_data(db, contributions=400, key_message_ref=REF, consultation_slug=None, random_seed=seed)
        ends.append(await db.scalar(select(func.max(Contribution.id))))
    positions = (
        await db.execute(
            select(Contribution.id, Contribution.organisation_id, Contribution.author_id, Contribution.superseded_by_id)
            .where(Contribution.key_message_id == key_message(consultation, REF).id, Contribution.parent_id.is_(None))
            .order_by(Contribution.id)
        )
    ).all()
    latest = {}
    for identifier, organisation_id, author_id, _ in positions:
        latest[organisation_id or ("person", author_id)] = identifier
    expected = {
        i: (None if latest[o or ("person", a)] == i else latest[o or ("person", a)]) for i, o, a, _ in positions
    }
    assert {i: superseded_by for i, _o, _a, superseded_by in positions} == expected
    assert sum(1 for value in expected.values() if value is not None) > 0, "some speakers took a position twice"
    first_run = (
        await db.scalars(
            select(Contribution.id)
            .where(Contribution.parent_id.is_(None), Contribution.id <= ends[0])
            .order_by(Contribution.created_at)
        )
    ).all()
    assert first_run == sorted(first_run), "ids grow with time"
