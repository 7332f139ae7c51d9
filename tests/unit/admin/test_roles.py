"""Granting and revoking roles: audited, idempotent, and no admin can drop their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import UserRole
from app.admin.services import AdminChangeError, find_people, grant_role, grantable_role, revoke_role
from app.audit.models import AuditEvent
from app.security.roles import Role
from tests.factories import make_user


async def role_events(db, person) -> list[tuple[str, dict]]:
    rows = await db.execute(
        select(AuditEvent.tag, AuditEvent.details)
        .where(AuditEvent.subject_user_id == person.id)
        .order_by(AuditEvent.id)
    )
    return [(tag, details) for tag, details in rows if tag.startswith("accounts:role:")]


async def test_grant_then_revoke_writes_and_deletes_the_grant_and_audits_both(db):
    admin, person = await make_user(db, role=Role.ADMIN), await make_user(db)
    assert await grant_role(db, admin=admin, person=person, role=Role.MODERATOR, reason="Runs RT2.")
    assert Role.MODERATOR in person.roles
    assert await db.scalar(select(UserRole).where(UserRole.user_id == person.id)) is not None
    assert await revoke_role(db, admin=admin, person=person, role=Role.MODERATOR)
    assert await db.scalar(select(UserRole).where(UserRole.user_id == person.id)) is None
    assert await role_events(db, person) == [
        ("accounts:role:grant", {"role": "moderator", "reason": "Runs RT2."}),
        ("accounts:role:revoke", {"role": "moderator"}),
    ]


async def test_asking_for_what_is_already_so_changes_and_records_nothing(db):
    admin, person = await make_user(db, role=Role.ADMIN), await make_user(db, role=Role.NEGOTIATOR)
    assert not await grant_role(db, admin=admin, person=person, role=Role.NEGOTIATOR)
    assert not await revoke_role(db, admin=admin, person=person, role=Role.MODERATOR)
    assert await role_events(db, person) == []


async def test_an_admin_cannot_revoke_their_own_admin_role(db):
    admin = await make_user(db, role=Role.ADMIN)
    with pytest.raises(AdminChangeError):
        await revoke_role(db, admin=admin, person=admin, role=Role.ADMIN)
    assert Role.ADMIN in admin.roles
    other = await make_user(db, role=Role.ADMIN)
    assert await revoke_role(db, admin=admin, person=other, role=Role.ADMIN)


def test_only_privileged_roles_can_be_granted():
    assert grantable_role("moderator") is Role.MODERATOR
    for value in ("participant", "superuser", ""):
        with pytest.raises(AdminChangeError):
            grantable_role(value)


async def test_reasons_have_a_limit(db):
    admin, person = await make_user(db, role=Role.ADMIN), await make_user(db)
    with pytest.raises(AdminChangeError):
        await grant_role(db, admin=admin, person=person, role=Role.MODERATOR, reason="x" * 501)


async def test_find_people_by_email_or_name_in_pages(db):
    for n in range(3):
        await make_user(db, email=f"findme{n}@example.org", name=f"Zora {n}")
    await make_user(db, email="other@example.org", name="Zora_percent% Person")
    first = await find_people(db, "findme", page_size=2)
    assert [p.email for p in first.people] == ["findme0@example.org", "findme1@example.org"]
    rest = await find_people(db, "findme", after=first.next_after, page_size=2)
    assert [p.email for p in rest.people] == ["findme2@example.org"] and rest.next_after is None
    assert [p.email for p in (await find_people(db, "ZORA_")).people] == ["other@example.org"]
