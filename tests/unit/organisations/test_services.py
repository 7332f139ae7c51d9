"""Verifying organisations, editing profiles, and tallies by origin and residence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import ORGANISATION_UNVERIFY, ORGANISATION_VERIFICATION_LAPSE, ORGANISATION_VERIFY
from app.discussion.contribution_write import PERSONAL, ContributionError, _organisation_for
from app.discussion.organisation_contributions import public_contributions
from app.discussion.tallies import tallies
from app.fragments import CLEARED_KEY, RenderedFragment, store_fragments
from app.organisations.models import EcosocStatus, OrganisationType, VerificationState
from app.organisations.services import OrganisationError, ProfileEdit, unverify, update_profile, verify
from tests.factories import key_message, make_organisation, make_position, make_user


async def test_verifying_is_audited_and_clears_cached_fragments(db):
    organisation = await make_organisation(db)
    moderator = await make_user(db)
    await store_fragments(db, {"km:1:en:x:threads": ("v", "<p>old</p>")})
    await verify(db, organisation, moderator=moderator, note="Checked the register.")
    assert organisation.verification is VerificationState.VERIFIED and organisation.verified_by_id == moderator.id
    assert list(await db.scalars(select(RenderedFragment.key))) == [CLEARED_KEY]  # only when they were cleared
    await unverify(db, organisation, moderator=moderator, note="Lapsed.")
    assert organisation.verification is VerificationState.UNVERIFIED and organisation.verified_at is None
    tags = (await db.scalars(select(AuditEvent.tag).where(AuditEvent.organisation_id == organisation.id))).all()
    assert list(tags) == [ORGANISATION_VERIFY, ORGANISATION_UNVERIFY]


def edit(**changes) -> ProfileEdit:  # type: ignore[no-untyped-def]
    values = {
        "name": "Renamed",
        "type": OrganisationType.CIVIL_SOCIETY,
        "country": "SN",
        "website": None,
        "description": "",
        "transparency_register_id": None,
        "ecosoc_status": EcosocStatus.NONE,
        "origin_countries": ["ML"],
    }
    return ProfileEdit(**{**values, **changes})


async def test_names_stay_unique_per_country_and_only_diaspora_keeps_origins(db):
    taken = await make_organisation(db, name="Taken", country="SN")
    organisation = await make_organisation(db, country="SN")
    editor = await make_user(db, organisation=organisation, organisation_admin=True)
    with pytest.raises(OrganisationError):
        await update_profile(db, organisation, edit(name="TAKEN"), editor=editor)
    await update_profile(db, organisation, edit(), editor=editor)
    assert organisation.origin_countries == [] and taken.name == "Taken"
    await update_profile(db, organisation, edit(type=OrganisationType.DIASPORA), editor=editor)
    assert organisation.origin_countries == ["ML"]


async def verified_as(db, **changes):  # type: ignore[no-untyped-def]
    """A verified organisation whose profile is edit(**changes), and its admin."""
    organisation = await make_organisation(db, country="SN")
    editor = await make_user(db, organisation=organisation, organisation_admin=True)
    await update_profile(db, organisation, edit(**changes), editor=editor)
    await verify(db, organisation, moderator=await make_user(db), note="Checked the register.")
    return organisation, editor


async def test_editing_only_the_description_keeps_the_verification(db):
    organisation, editor = await verified_as(db, website="https://renamed.example")
    same_facts = edit(website="https://renamed.example", description="A new description.")
    assert not await update_profile(db, organisation, same_facts, editor=editor)
    assert organisation.verification is VerificationState.VERIFIED and organisation.verification_lapsed_at is None


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("name", "European Commission"),
        ("type", OrganisationType.INTERNATIONAL),
        ("country", "BE"),
        ("website", "https://elsewhere.example"),
        ("transparency_register_id", "123456789012-34"),
        ("ecosoc_status", EcosocStatus.GENERAL),
    ],
)
async def test_changing_a_checked_fact_ends_the_verification_at_once(db, fact, value):
    organisation, editor = await verified_as(db)
    assert await update_profile(db, organisation, edit(**{fact: value}), editor=editor)
    assert organisation.verification is VerificationState.UNVERIFIED and organisation.verified_at is None
    assert organisation.verification_lapsed_fields == [fact] and organisation.verification_lapsed_at is not None
    assert organisation.verification_note == "Checked the register."  # the history stays
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == ORGANISATION_VERIFICATION_LAPSE))
    assert event.actor_id == editor.id and event.details["fields"] == [fact]
    await verify(db, organisation, moderator=editor, note="Checked again.")
    assert organisation.verification_lapsed_at is None and organisation.verification_lapsed_fields == []


async def test_changing_the_countries_of_origin_ends_the_verification(db):
    organisation, editor = await verified_as(db, type=OrganisationType.DIASPORA)
    diaspora = edit(type=OrganisationType.DIASPORA, origin_countries=["ML", "SN"])
    assert await update_profile(db, organisation, diaspora, editor=editor)
    assert organisation.verification_lapsed_fields == ["origin_countries"]


async def test_an_unverified_organisation_is_edited_without_a_lapse(db):
    organisation = await make_organisation(db, country="SN")
    editor = await make_user(db, organisation=organisation, organisation_admin=True)
    assert not await update_profile(db, organisation, edit(name="Another name"), editor=editor)
    assert organisation.verification_lapsed_at is None


async def test_tally_counts_diaspora_by_origin_and_everyone_by_residence(db, consultation):
    diaspora = await make_organisation(db, type=OrganisationType.DIASPORA, country="FR")
    diaspora.origin_countries = ["SN", "ML"]
    ngo = await make_organisation(db, country="BE")
    await make_position(db, consultation, author=await make_user(db, organisation=diaspora), position="support")
    await make_position(db, consultation, author=await make_user(db, organisation=ngo), position="oppose")
    await make_position(db, consultation, author=await make_user(db, with_organisation=False), position="oppose")
    tally = (await tallies(db, [key_message(consultation, "RT2-KM3").id]))[key_message(consultation, "RT2-KM3").id]
    assert tally.total == 3
    assert {code: dict(c) for code, c in tally.by_country.items()} == {"FR": {"support": 1}, "BE": {"oppose": 1}}
    assert {code: dict(c) for code, c in tally.by_origin.items()} == {"SN": {"support": 1}, "ML": {"support": 1}}


async def test_speaking_personally_or_only_for_ones_own_organisation(db):
    organisation = await make_organisation(db)
    author = await make_user(db, organisation=organisation)
    await db.refresh(author, ["memberships"])
    assert _organisation_for(author, PERSONAL) is None
    assert _organisation_for(author, None) is organisation
    with pytest.raises(ContributionError):
        _organisation_for(author, organisation.id + 1000)


async def test_profile_lists_only_visible_contributions_newest_first(db, consultation):
    organisation = await make_organisation(db)
    author = await make_user(db, organisation=organisation)
    older = await make_position(db, consultation, author=author)
    newer = await make_position(db, consultation, author=author, ref="RT1-KM1")
    page = await public_contributions(db, organisation, cursor=None, page_size=1)
    assert [item.id for item in page.items] == [newer.id] and page.next_cursor
    rest = await public_contributions(db, organisation, cursor=page.next_cursor, page_size=1)
    assert [item.id for item in rest.items] == [older.id] and rest.next_cursor is None


async def test_profile_lists_only_contributions_published_under_the_organisations_name(db, consultation):
    organisation = await make_organisation(db)
    author = await make_user(db, organisation=organisation)
    shown = {
        await make_position(db, consultation, author=author, publication=consent)
        for consent in ("named", "organisation_only")
    }
    for consent in ("anonymous", "not_for_publication"):
        await make_position(db, consultation, author=author, publication=consent)
    page = await public_contributions(db, organisation, cursor=None, page_size=10)
    assert {item.id for item in page.items} == {c.id for c in shown}
