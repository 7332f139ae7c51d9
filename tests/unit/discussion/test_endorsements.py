"""Endorsing: organisations co-sign a contribution once, through a member, and may take it back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.consultation.models import KeyMessage
from app.discussion import endorsements
from app.discussion.endorsements import endorse, endorsing_choices, withdraw_endorsement
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus, Endorsement, PublicationConsent
from app.organisations.models import Membership
from tests.factories import make_organisation, make_position, make_reply, make_user


async def rows(db, contribution) -> int:
    return await db.scalar(
        select(func.count()).select_from(Endorsement).where(Endorsement.contribution_id == contribution.id)
    )


async def stored_count(db, contribution) -> int:
    return await db.scalar(select(Contribution.endorsement_count).where(Contribution.id == contribution.id))


async def version(db, contribution) -> int:
    return await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == contribution.key_message_id))


@pytest.fixture
async def position(db, consultation):
    return await make_position(db, consultation, author=await make_user(db), body="A position worth co-signing.")


async def member(db, *organisations):
    """A person belonging to the given organisations (a new one when none is given)."""
    user = await make_user(db, organisation=organisations[0] if organisations else None)
    for organisation in organisations[1:]:
        user.memberships.append(Membership(organisation=organisation))
    await db.flush()
    return user


async def test_a_member_endorses_for_their_organisation(db, position):
    user = await member(db)
    organisation_id = user.memberships[0].organisation_id
    before = await version(db, position)

    organisation = await endorse(db, user=user, contribution=position, organisation_id=organisation_id)

    assert organisation.id == organisation_id
    endorsement = await db.scalar(select(Endorsement).where(Endorsement.contribution_id == position.id))
    assert (endorsement.organisation_id, endorsement.endorsed_by_id) == (organisation_id, user.id)
    assert position.endorsement_count == await stored_count(db, position) == await rows(db, position) == 1
    assert await version(db, position) > before, "the cached first page must be rendered again"


async def test_only_members_endorse_for_an_organisation(db, position):
    user = await member(db)
    stranger = await make_organisation(db)
    with pytest.raises(ContributionError, match="organisation you belong to") as error:
        await endorse(db, user=user, contribution=position, organisation_id=stranger.id)
    assert error.value.field == "organisation_id"
    assert await rows(db, position) == 0


async def test_an_organisation_must_be_chosen(db, position):
    with pytest.raises(ContributionError, match="Choose the organisation"):
        await endorse(db, user=await member(db), contribution=position, organisation_id=None)


async def test_an_organisation_endorses_once(db, position):
    organisation = await make_organisation(db, name="Migrant Voices")
    first, colleague = await member(db, organisation), await member(db, organisation)
    await endorse(db, user=first, contribution=position, organisation_id=organisation.id)
    with pytest.raises(ContributionError, match="Migrant Voices has already endorsed"):
        await endorse(db, user=colleague, contribution=position, organisation_id=organisation.id)
    assert await stored_count(db, position) == await rows(db, position) == 1


async def test_two_members_racing_make_one_endorsement(db, position, monkeypatch):
    """The check passed for both; the unique constraint stops the second, with the same message."""
    organisation = await make_organisation(db, name="Diaspora Link")
    await endorse(db, user=await member(db, organisation), contribution=position, organisation_id=organisation.id)

    async def nobody_yet(_db, _contribution_id):
        return set()

    monkeypatch.setattr(endorsements, "endorsing_organisation_ids", nobody_yet)
    with pytest.raises(ContributionError, match="Diaspora Link has already endorsed"):
        await endorse(db, user=await member(db, organisation), contribution=position, organisation_id=organisation.id)
    assert await stored_count(db, position) == await rows(db, position) == 1
    assert position.endorsement_count == 1


async def test_an_organisation_does_not_endorse_what_it_wrote(db, consultation):
    organisation = await make_organisation(db, name="Own Voice")
    contribution = await make_position(db, consultation, author=await member(db, organisation))
    with pytest.raises(ContributionError, match="Own Voice wrote this contribution"):
        await endorse(
            db, user=await member(db, organisation), contribution=contribution, organisation_id=organisation.id
        )


@pytest.mark.parametrize("publication", ["anonymous", "not_for_publication"])
async def test_the_refusal_does_not_name_an_organisation_the_byline_withholds(db, consultation, publication):
    """Its members are refused all the same (it is still their organisation's text), in
    words that carry no name a screen or a screenshot could pass on."""
    organisation = await make_organisation(db, name="Quiet Voice")
    contribution = await make_position(db, consultation, author=await member(db, organisation), publication="anonymous")
    contribution.publication = PublicationConsent(publication)
    colleague = await member(db, organisation, await make_organisation(db, name="Other Voice"))
    with pytest.raises(ContributionError) as refused:
        await endorse(db, user=colleague, contribution=contribution, organisation_id=organisation.id)
    assert "Quiet Voice" not in refused.value.message
    choices = await endorsing_choices(db, colleague, contribution)
    assert choices.own_refusal is not None and "Quiet Voice" not in choices.own_refusal


async def test_an_organisation_only_contribution_may_name_its_organisation(db, consultation):
    organisation = await make_organisation(db, name="Open Voice")
    contribution = await make_position(
        db, consultation, author=await member(db, organisation), publication="organisation_only"
    )
    choices = await endorsing_choices(db, await member(db, organisation), contribution)
    assert choices.own_refusal == "Open Voice wrote this contribution, so it cannot endorse it."


async def test_a_non_member_learns_nothing_about_who_wrote_it(db, consultation):
    """Membership is checked before authorship: naming the authoring organisation's id gets
    the answer any organisation one does not belong to gets."""
    organisation, stranger = await make_organisation(db), await make_organisation(db)
    written = await make_position(db, consultation, author=await member(db, organisation), publication="anonymous")
    other = await make_position(db, consultation, author=await member(db, stranger), ref="RT2-KM4")
    user = await member(db)
    answers = []
    for contribution in (written, other):
        with pytest.raises(ContributionError) as refused:
            await endorse(db, user=user, contribution=contribution, organisation_id=organisation.id)
        answers.append(refused.value.message)
    assert answers[0] == answers[1]


async def test_a_personal_contribution_may_be_endorsed_by_the_authors_organisation(db, consultation):
    organisation = await make_organisation(db)
    author = await member(db, organisation)
    contribution = await make_position(db, consultation, author=author, organisation_id="personal")
    await endorse(db, user=author, contribution=contribution, organisation_id=organisation.id)
    assert await rows(db, contribution) == 1


@pytest.mark.parametrize(
    ("status", "publication", "reason"),
    [
        (ContributionStatus.HIDDEN, PublicationConsent.NAMED, "was removed"),
        (ContributionStatus.WITHDRAWN, PublicationConsent.NAMED, "was removed"),
        (ContributionStatus.VISIBLE, PublicationConsent.NOT_FOR_PUBLICATION, "not for publication"),
    ],
)
async def test_only_what_everyone_can_read_is_endorsed(db, position, status, publication, reason):
    position.status, position.publication = status, publication
    user = await member(db)
    with pytest.raises(ContributionError, match=reason):
        await endorse(db, user=user, contribution=position, organisation_id=user.memberships[0].organisation_id)
    assert await rows(db, position) == 0


async def test_replies_and_amendments_are_endorsed_like_positions(db, consultation, position):
    reply = await make_reply(db, author=await make_user(db), parent=position)
    amendment = await make_position(db, consultation, author=await make_user(db), position="support_with_amendments")
    user = await member(db)
    for contribution in (reply, amendment):
        await endorse(db, user=user, contribution=contribution, organisation_id=user.memberships[0].organisation_id)
        assert await stored_count(db, contribution) == 1


async def test_withdrawing_takes_the_signature_back(db, position):
    organisation = await make_organisation(db, name="Second Thoughts")
    signer, colleague = await member(db, organisation), await member(db, organisation)
    await endorse(db, user=signer, contribution=position, organisation_id=organisation.id)
    before = await version(db, position)

    withdrawn = await withdraw_endorsement(db, user=colleague, contribution=position, organisation_id=organisation.id)

    assert withdrawn is not None and withdrawn.name == "Second Thoughts"
    assert position.endorsement_count == await stored_count(db, position) == await rows(db, position) == 0
    assert await version(db, position) > before
    again = await withdraw_endorsement(db, user=signer, contribution=position, organisation_id=organisation.id)
    assert again is None, "a second click changes nothing"
    assert await stored_count(db, position) == 0


async def test_only_members_withdraw_an_endorsement(db, position):
    organisation = await make_organisation(db)
    await endorse(db, user=await member(db, organisation), contribution=position, organisation_id=organisation.id)
    with pytest.raises(ContributionError):
        await withdraw_endorsement(db, user=await member(db), contribution=position, organisation_id=organisation.id)
    assert await rows(db, position) == 1


async def test_the_count_stays_equal_to_the_endorsements(db, position):
    organisations = [await make_organisation(db) for _ in range(4)]
    user = await member(db, *organisations)
    for organisation in organisations:
        await endorse(db, user=user, contribution=position, organisation_id=organisation.id)
    for organisation in organisations[1:3]:
        await withdraw_endorsement(db, user=user, contribution=position, organisation_id=organisation.id)
    await endorse(db, user=user, contribution=position, organisation_id=organisations[1].id)
    assert position.endorsement_count == await stored_count(db, position) == await rows(db, position) == 3


async def test_the_form_offers_only_organisations_that_may_still_endorse(db, consultation):
    own, done, free = [await make_organisation(db, name=name) for name in ("Own", "Done", "Free")]
    user = await member(db, own, done, free)
    contribution = await make_position(db, consultation, author=user, organisation_id=own.id)
    await endorse(db, user=user, contribution=contribution, organisation_id=done.id)

    choices = await endorsing_choices(db, user, contribution)

    assert [o.name for o in choices.available] == ["Free"]
    assert [o.name for o in choices.endorsing] == ["Done"]
    assert choices.own is not None and choices.own.name == "Own"
    assert choices.refusal is None


async def test_the_form_offers_nothing_on_a_removed_contribution(db, position):
    position.status = ContributionStatus.HIDDEN
    choices = await endorsing_choices(db, await member(db), position)
    assert choices.available == [] and choices.refusal is not None
