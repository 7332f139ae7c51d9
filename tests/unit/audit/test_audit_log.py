"""The audit log: append-only, filtered and keyset-paged for admins."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts.sign_in_audit import record_sign_in_attempt
from app.admin.audit_log import AuditFilter, audit_page
from app.audit.services import ROLE_GRANT, SIGN_IN, SIGN_IN_FAILED, record
from app.db import utcnow
from app.security.roles import Role
from app.settings import PROJECT_ROOT
from tests.factories import make_user


async def test_record_adds_to_the_callers_transaction(db):
    admin, person = await make_user(db, role=Role.ADMIN), await make_user(db)
    event = record(db, ROLE_GRANT, actor=admin, subject_user=person, address="10.0.0.1", details={"role": "admin"})
    await db.flush()
    assert (event.actor_id, event.subject_user_id, event.details) == (admin.id, person.id, {"role": "admin"})
    with pytest.raises(ValueError):
        record(db, "accounts:user:explode", actor=None)


async def test_failed_sign_ins_name_the_account_when_it_exists(db):
    person = await make_user(db)
    await record_sign_in_attempt(db, person.email.upper(), None, address="10.0.0.2")
    await record_sign_in_attempt(db, "nobody@example.org", None, throttled=True)
    await record_sign_in_attempt(db, person.email, person)  # success: recorded with the session
    await db.flush()
    page = await audit_page(db, AuditFilter(tag=SIGN_IN_FAILED))
    assert [(r.subject_email, r.details["email"], r.details["throttled"]) for r in page.rows[:2]] == [
        (None, "nobody@example.org", True),
        (person.email, person.email, False),
    ]


async def test_filters_and_keyset_pages_newest_first(db):
    someone, other = await make_user(db), await make_user(db)
    for n in range(5):
        record(db, SIGN_IN, actor=someone, subject_user=someone, details={"n": n})
    record(db, SIGN_IN, actor=other, subject_user=other)
    await db.flush()
    first = await audit_page(db, AuditFilter(email=someone.email.upper()), page_size=2)
    assert [r.details["n"] for r in first.rows] == [4, 3]
    second = await audit_page(db, AuditFilter(email=someone.email, before_id=first.next_before_id), page_size=2)
    third = await audit_page(db, AuditFilter(email=someone.email, before_id=second.next_before_id), page_size=2)
    assert [r.details["n"] for r in second.rows + third.rows] == [2, 1, 0] and third.next_before_id is None
    today = utcnow().date()
    assert len((await audit_page(db, AuditFilter(email=someone.email, since=today, until=today))).rows) == 5
    tomorrow = today + timedelta(days=1)
    assert (await audit_page(db, AuditFilter(email=someone.email, since=tomorrow))).rows == []
    assert (await audit_page(db, AuditFilter(email=someone.email, until=today - timedelta(days=1)))).rows == []
    assert (await audit_page(db, AuditFilter(email=someone.email, tag=ROLE_GRANT))).rows == []


def test_no_code_updates_or_deletes_audit_events():
    pattern = re.compile(r"(update|delete)\(\s*AuditEvent|AuditEvent\.__table__\.(update|delete)")
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "app").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_route_changes_the_audit_log(app):
    audit_routes = [route for route in app.routes if getattr(route, "path", "").startswith("/admin/audit")]
    assert audit_routes and all(route.methods <= {"GET", "HEAD"} for route in audit_routes)
