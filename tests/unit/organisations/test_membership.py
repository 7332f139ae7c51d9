"""Membership rules: the registrant of a new organisation is its admin, others ask to join;
requests to organisations without admins go to moderators; the last-admin rule."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import func, select

from app.accounts.cli import create_user_from_cli
from app.accounts.services import AccountError
from app.organisations import joining, membership
from app.organisations.directory import NewOrganisation
from app.organisations.models import JoinRequest, JoinRequestStatus, Membership, OrganisationType
from app.organisations.services import OrganisationError
from tests.factories import make_organisation, make_user


async def test_the_person_who_registers_an_organisation_becomes_its_admin_others_ask(db):
    new = NewOrganisation("Brand New Org", OrganisationType.DIASPORA, "FR")
    first = await joining.sign_up(
        db, display_name="A", email="a@example.org", password="x" * 12, organisation_id=None, new_organisation=new
    )
    second = await joining.sign_up(
        db, display_name="B", email="b@example.org", password="x" * 12, organisation_id=None, new_organisation=new
    )
    assert first is not None and second is not None
    rows = (await db.execute(select(Membership.user_id, Membership.is_admin).order_by(Membership.id))).all()
    assert rows == [(first.id, True)]
    request = await db.scalar(select(JoinRequest).where(JoinRequest.user_id == second.id))
    assert request.status is JoinRequestStatus.PENDING


async def test_signing_up_again_with_a_taken_address_writes_nothing(db):
    await make_user(db, email="taken@example.org")
    listed = await make_organisation(db)
    again = await joining.sign_up(
        db,
        display_name="B",
        email="TAKEN@example.org",
        password="x" * 12,
        organisation_id=listed.id,
        new_organisation=None,
    )
    assert again is None
    assert await db.scalar(select(func.count()).select_from(JoinRequest)) == 0
    with pytest.raises(AccountError):  # an unknown choice is refused whether or not the address is taken
        await joining.sign_up(
            db,
            display_name="B",
            email="taken@example.org",
            password="x" * 12,
            organisation_id=999_999,
            new_organisation=None,
        )


async def test_requests_to_an_organisation_without_admins_go_to_the_moderators(db):
    orphan = await make_organisation(db)
    managed = await make_organisation(db)
    await make_user(db, organisation=managed, organisation_admin=True)
    await make_user(db, organisation=orphan)  # a member, but no admin
    person = await make_user(db, with_organisation=False)
    moderator = await make_user(db, with_organisation=False)
    to_orphan = await membership.request_to_join(db, orphan, person, "I run it now.")
    to_managed = await membership.request_to_join(db, managed, person, "")
    assert [c.request_id for c in await joining.pending_claims(db)] == [to_orphan.id]
    with pytest.raises(OrganisationError):  # its admins answer this one
        await joining.decide_claim(db, to_managed.id, moderator=moderator, approve=True, note="No.")
    await joining.decide_claim(db, to_orphan.id, moderator=moderator, approve=True, note="Phoned them.")
    assert (to_orphan.status, to_orphan.decision_note, to_orphan.decided_by_id) == (
        JoinRequestStatus.APPROVED,
        "Phoned them.",
        moderator.id,
    )
    assert (await membership.membership_of(db, orphan, person.id)).is_admin
    assert await joining.has_admin(db, orphan.id)
    assert await joining.pending_claims(db) == []
    with pytest.raises(OrganisationError):  # answered already
        await joining.decide_claim(db, to_orphan.id, moderator=moderator, approve=False, note="Again.")


async def test_a_declined_claim_makes_nobody_a_member(db):
    orphan = await make_organisation(db)
    person = await make_user(db, with_organisation=False)
    moderator = await make_user(db, with_organisation=False)
    request = await membership.request_to_join(db, orphan, person, "")
    await joining.decide_claim(db, request.id, moderator=moderator, approve=False, note="Could not confirm.")
    assert request.status is JoinRequestStatus.DECLINED
    assert await membership.membership_of(db, orphan, person.id) is None


async def test_asking_twice_keeps_one_pending_request_and_members_cannot_ask(db):
    organisation = await make_organisation(db)
    person = await make_user(db)
    first = await membership.request_to_join(db, organisation, person, "Hello")
    second = await membership.request_to_join(db, organisation, person, "Hello again")
    assert first.id == second.id and second.message == "Hello again"
    approved = await membership.decide_request(db, organisation, first.id, admin=person, approve=True)
    assert approved.status is JoinRequestStatus.APPROVED
    with pytest.raises(OrganisationError):
        await membership.request_to_join(db, organisation, person, "Again")


async def test_the_last_admin_cannot_leave_while_others_remain_but_may_alone(db):
    organisation = await make_organisation(db)
    admin = await make_user(db, organisation=organisation, organisation_admin=True)
    member = await make_user(db, organisation=organisation)
    with pytest.raises(OrganisationError):
        await membership.leave(db, organisation, admin)
    await membership.leave(db, organisation, member)  # members leave freely
    await membership.leave(db, organisation, admin)  # alone now: may go
    assert await membership.membership_of(db, organisation, admin.id) is None


async def test_admins_remove_others_but_leave_to_go_themselves(db):
    organisation = await make_organisation(db)
    admin = await make_user(db, organisation=organisation, organisation_admin=True)
    with pytest.raises(OrganisationError):
        await membership.remove_member(db, organisation, admin.id, admin=admin)
    with pytest.raises(OrganisationError):
        await membership.make_admin(db, organisation, 999_999)


def operator_args(email: str, **org: str) -> argparse.Namespace:
    return argparse.Namespace(
        email=email, password="long enough pass", name="Placed", role="participant", totp_secret=None, **org
    )


async def test_the_operator_places_a_person_in_an_existing_organisation_at_once(db):
    """`roundtable users create --org-name` needs no approval: the operator vouches."""
    existing = await make_organisation(db, name="European Commission", country="BE")
    admin = await make_user(db, organisation=existing, organisation_admin=True)
    org = {"org_name": "EUROPEAN  commission", "org_type": "international", "country": "be"}
    placed = await create_user_from_cli(db, operator_args("placed@example.org", **org))
    assert (await membership.membership_of(db, existing, placed)).is_admin is False
    assert (await membership.membership_of(db, existing, admin.id)).is_admin
    assert await db.scalar(select(func.count()).select_from(JoinRequest)) == 0
    new = {"org_name": "Brand New Agency", "org_type": "government", "country": "NL"}
    first = await create_user_from_cli(db, operator_args("first@example.org", **new))
    [(organisation_id, is_admin)] = (
        await db.execute(select(Membership.organisation_id, Membership.is_admin).where(Membership.user_id == first))
    ).all()
    assert organisation_id != existing.id and is_admin  # the first member of a new organisation is its admin
