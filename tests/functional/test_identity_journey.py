"""Issue "stakeholder identity", done when: a newcomer signs up, verifies their email (from a
real SMTP server), registers their organisation, gets it verified by a moderator who could
not act before setting up two-factor, and the audit log shows every step.
(Sign-in through a real OpenID provider is walked in test_oidc_sign_in.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.organisations.models import Organisation
from app.security.roles import Role
from tests.factories import PASSWORD, make_user
from tests.functional.test_consultation_loop import confirm_email, sign_up
from tests.mail_server import MailServer, sending_to, smtp_server
from tests.support import post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    return sending_to(app, smtp_server)


async def test_newcomer_to_verified_organisation_with_a_full_audit_trail(client, other_client, db, smtp_server):
    await sign_up(
        client,
        name="Kwame Mensah",
        email="kwame@example.org",
        org_name="Ghana Diaspora Network",
        org_type="diaspora",
        country="NL",
    )
    await confirm_email(client, smtp_server, "kwame@example.org")
    organisation = await db.scalar(select(Organisation).where(Organisation.name == "Ghana Diaspora Network"))

    # A moderator without two-factor is told to set it up and cannot verify.
    unprepared = await make_user(db, role=Role.MODERATOR, two_factor=False, email="new-mod@example.org")
    await db.commit()
    await sign_in(other_client, unprepared.email, PASSWORD)
    refused = await post_form(
        other_client,
        f"/organisations/{organisation.id}/verify",
        {"action": "verify", "note": "Checked the Dutch chamber of commerce register."},
    )
    assert refused.status_code == 403 and "/account/two-factor" in refused.text
    await post_form(other_client, "/sign-out", {})

    # A moderator with two-factor verifies it; the badge shows on the profile.
    moderator = await make_user(db, role=Role.MODERATOR, email="mod@example.org")
    await db.commit()
    await sign_in(other_client, moderator.email, PASSWORD)
    done = await post_form(
        other_client,
        f"/organisations/{organisation.id}/verify",
        {"action": "verify", "note": "Checked the Dutch chamber of commerce register."},
    )
    assert done.status_code == 303
    assert "Verified" in visible_text(await client.get(f"/organisations/{organisation.id}"))

    # An admin reads every step in the audit log, filtered by the newcomer's email.
    admin = await make_user(db, role=Role.ADMIN, email="admin@example.org")
    await db.commit()
    await post_form(other_client, "/sign-out", {})
    await sign_in(other_client, admin.email, PASSWORD)
    log = await other_client.get("/admin/audit", params={"email": "kwame@example.org"})
    assert log.status_code == 200
    tags = {
        event.tag
        for event in await db.scalars(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation.id)
            .execution_options(populate_existing=True)
        )
    }
    assert {"accounts:user:sign_up", "organisations:membership:join", "organisations:organisation:verify"} <= tags
    shown = visible_text(log)
    for label in ("Account created", "Joined an organisation", "Email address confirmed", "Signed in"):
        assert label in shown, label
    assert soup(log).select("table tbody tr"), "the log lists events"
