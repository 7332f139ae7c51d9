"""Membership rules: first member admin, requests to join, the last-admin rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import JoinRequestStatus, Membership, OrganisationType
from app.accounts.services import NewOrganisation, register
from app.organisations import membership
from app.organisations.services import OrganisationError
from tests.factories import make_organisation, make_user


async def test_the_person_who_registers_an_organisation_becomes_its_admin(db):
    new = NewOrganisation("Brand New Org", OrganisationType.DIASPORA, "FR")
    first = await register(
        db, display_name="A", email="a@example.org", password="x" * 12, organisation_id=None, new_organisation=new
    )
    second = await register(
        db, display_name="B", email="b@example.org", password="x" * 12, organisation_id=None, new_organisation=new
    )
    rows = (await db.execute(select(Membership.user_id, Membership.is_admin).order_by(Membership.id))).all()
    assert (first.id, True) in rows and (second.id, False) in rows


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
