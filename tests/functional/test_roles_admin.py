"""An admin grants and revokes roles, and reads the audit log of it."""

from __future__ import annotations

from app.audit.services import SIGN_IN, record
from app.security.roles import Role
from tests.factories import PASSWORD, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text


async def test_grant_revoke_and_find_it_in_the_audit_log(client, db):
    admin = await make_user(db, role=Role.ADMIN)
    person = await make_user(db, email="rosa.parks@example.org", name="Rosa Parks")
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)

    found = await client.get("/admin/people", params={"q": "rosa"})
    assert [a.get_text() for a in soup(found).select("tbody a")] == ["Rosa Parks"]
    url = f"/admin/people/{person.id}/roles"
    granted = await post_form(client, url, {"action": "grant", "role": "moderator", "reason": "Moderates RT2."})
    assert granted.status_code == 303
    page = await client.get(granted.headers["location"])
    assert "Moderator" in visible_text(page) and "Roles updated." in visible_text(page)
    revoked = await post_form(client, url, {"action": "revoke", "role": "moderator", "reason": ""})
    assert revoked.status_code == 303
    bad = await post_form(client, url, {"action": "grant", "role": "participant", "reason": ""})
    assert bad.status_code == 422 and "role" in field_errors(bad)

    log = await client.get("/admin/audit", params={"email": person.email})
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in soup(log).select("tbody tr")]
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("accounts:role:revoke", admin.email, person.email),
        ("accounts:role:grant", admin.email, person.email),
    ]
    assert "reason: Moderates RT2." in rows[1][5]
    grants = await client.get("/admin/audit", params={"email": person.email, "tag": "accounts:role:grant"})
    assert len(soup(grants).select("tbody tr")) == 1
    bad_date = await client.get("/admin/audit", params={"since": "yesterday"})
    assert "since" in field_errors(bad_date)


async def test_an_admin_cannot_revoke_their_own_admin_role(client, db):
    admin = await make_user(db, role=Role.ADMIN)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    refused = await post_form(client, f"/admin/people/{admin.id}/roles", {"action": "revoke", "role": "admin"})
    assert refused.status_code == 422 and "own administrator role" in field_errors(refused)["role"]
    assert (await client.get("/admin/audit")).status_code == 200


async def test_the_audit_log_pages_fifty_at_a_time(client, db):
    admin = await make_user(db, role=Role.ADMIN)
    for _ in range(51):
        record(db, SIGN_IN, actor=admin, subject_user=admin)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)  # the 52nd
    first = await client.get("/admin/audit", params={"email": admin.email, "tag": "accounts:user:sign_in"})
    assert len(soup(first).select("tbody tr")) == 50
    older = soup(first).select_one("a[href*='before=']")["href"]
    assert len(soup(await client.get(older)).select("tbody tr")) == 2


async def test_only_admins_see_the_administration_link(client, other_client, db):
    admin = await make_user(db, role=Role.ADMIN)
    participant = await make_user(db)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    await sign_in(other_client, participant.email, PASSWORD)
    assert soup(await client.get("/")).select_one("header a[href='/admin/people']") is not None
    assert soup(await other_client.get("/")).select_one("header a[href='/admin/people']") is None
