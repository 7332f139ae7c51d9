"""Issue 8, "Membership by approval" and "Verification means the facts were checked": only
people an organisation's admins (or, for an organisation without admins, the moderators)
approved speak for it; changing the facts a moderator checked ends the verification; and
sign-up does not tell whether an address already has an account. Mail goes to a real SMTP
server and links are followed through the app."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE
from app.audit.models import AuditEvent
from app.db import utcnow
from app.discussion.models import Contribution, Endorsement
from app.organisations.models import JoinRequest, JoinRequestStatus, Membership, Organisation, VerificationState
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.mail_server import MailServer, sending_to, smtp_server
from tests.support import field_errors, post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

KM = "/consultations/com-2013-292/messages/RT2-KM3"
NEWCOMER = {
    "display_name": "Nadia Benali",
    "email": "nadia@example.org",
    "password": "a long enough password",
    "organisation_id": "",
    "org_name": "",
    "org_type": "",
    "org_country": "",
}


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    return sending_to(app, smtp_server)


async def verified_organisation_with_admin(db, **kwargs):  # type: ignore[no-untyped-def]
    organisation = await make_organisation(db, **kwargs)
    admin = await make_user(db, organisation=organisation, organisation_admin=True)
    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    organisation.verification = VerificationState.VERIFIED
    organisation.verified_at = utcnow()
    organisation.verified_by_id = moderator.id
    organisation.verification_note = "Checked the national register."
    await db.commit()
    return organisation, admin


async def sign_up_and_confirm(client: httpx.AsyncClient, smtp_server: MailServer, **fields: str) -> httpx.Response:
    """Sign up, then open the link mailed to the address (which signs the person in)."""
    response = await post_form(client, "/sign-up", {**NEWCOMER, **fields})
    assert response.status_code == 303, response.text
    assert SESSION_COOKIE not in response.cookies  # nobody is signed in before the address is proven
    email = fields.get("email", NEWCOMER["email"])
    [link] = [url for url in smtp_server.to(email)[-1].links() if "/account/verify?token=" in url]
    parts = urlsplit(link)
    page = await client.get(f"{parts.path}?{parts.query}")
    token = soup(page).select_one("form[action='/account/verify'] input[name=token]")["value"]
    confirmed = await post_form(client, "/account/verify", {"token": token})
    assert confirmed.status_code == 303, confirmed.text
    return confirmed


def speaking_for_choices(page: httpx.Response) -> list[str]:
    return [o["value"] for o in soup(page).select("form[action$='/contributions'] select[name=organisation_id] option")]


async def post_position(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    page = await client.get(KM)
    key = soup(page).select_one("form[action$='/contributions'] input[name=submission_key]")["value"]
    return await post_form(
        client, f"{KM}/contributions", {"position": "support", "body": "We agree.", "submission_key": key, **fields}
    )


async def test_choosing_a_verified_organisation_waits_for_its_admins(
    client, other_client, db, consultation, smtp_server
):
    organisation, admin = await verified_organisation_with_admin(db, name="Caritas Sénégal", country="SN")
    other = await make_user(db)
    contribution = await make_position(db, consultation, author=other)
    await db.commit()
    await sign_up_and_confirm(client, smtp_server, organisation_id=str(organisation.id))
    nadia = await db.scalar(select(User).where(User.email == "nadia@example.org"))
    assert await db.scalar(select(func.count()).where(Membership.user_id == nadia.id)) == 0

    # Until the admins approve, Nadia speaks for herself only, and the pages say so.
    page = await client.get(KM)
    assert speaking_for_choices(page) == ["personal"]
    waiting = "Your request to join Caritas Sénégal is waiting for approval; until then you speak for yourself."
    assert waiting in visible_text(page)
    assert waiting in visible_text(await client.get("/account"))
    forged = await post_position(client, organisation_id=str(organisation.id))
    assert forged.status_code == 422
    assert field_errors(forged)["organisation_id"] == "You can only speak for an organisation you belong to."
    endorsed = await post_form(
        client, f"/contributions/{contribution.id}/endorse", {"organisation_id": str(organisation.id)}
    )
    assert endorsed.status_code in (403, 422)
    assert await db.scalar(select(func.count()).where(Contribution.author_id == nadia.id)) == 0
    assert await db.scalar(select(func.count()).where(Endorsement.organisation_id == organisation.id)) == 0

    # Its admin approves the request; now she may speak for the organisation.
    await sign_in(other_client, admin.email, PASSWORD)
    members_page = await other_client.get(f"/organisations/{organisation.id}/members")
    assert "Nadia Benali" in visible_text(members_page)
    request_id = soup(members_page).select_one("input[name=request_id]")["value"]
    approved = await post_form(
        other_client,
        f"/organisations/{organisation.id}/members/requests",
        {"request_id": request_id, "action": "approve"},
    )
    assert approved.status_code == 303
    page = await client.get(KM)
    assert speaking_for_choices(page) == [str(organisation.id), "personal"]
    assert "is waiting for approval" not in visible_text(page)
    assert (await post_position(client, organisation_id=str(organisation.id))).status_code == 303
    posted = await db.scalar(select(Contribution).where(Contribution.author_id == nadia.id))
    assert posted.organisation_id == organisation.id


async def test_registering_an_existing_name_and_country_sends_a_request(client, other_client, db, smtp_server):
    organisation, admin = await verified_organisation_with_admin(db, name="Forum des Sénégalais", country="FR")
    await sign_up_and_confirm(
        client, smtp_server, org_name="  FORUM des  sénégalais ", org_type="diaspora", org_country="FR"
    )
    nadia = await db.scalar(select(User).where(User.email == "nadia@example.org"))
    assert await db.scalar(select(func.count()).select_from(Organisation).where(Organisation.country == "FR")) == 1
    assert await db.scalar(select(func.count()).where(Membership.user_id == nadia.id)) == 0
    request = await db.scalar(select(JoinRequest).where(JoinRequest.user_id == nadia.id))
    assert (request.organisation_id, request.status) == (organisation.id, JoinRequestStatus.PENDING)
    assert speaking_for_choices(await client.get(KM)) == ["personal"]
    await sign_in(other_client, admin.email, PASSWORD)
    assert "Nadia Benali" in visible_text(await other_client.get(f"/organisations/{organisation.id}/members"))


async def test_registering_a_new_organisation_makes_its_first_admin(client, db, smtp_server):
    await sign_up_and_confirm(
        client, smtp_server, org_name="Jeunes Migrants", org_type="civil_society", org_country="ML"
    )
    organisation = await db.scalar(select(Organisation).where(Organisation.name == "Jeunes Migrants"))
    membership = await db.scalar(select(Membership).where(Membership.organisation_id == organisation.id))
    assert membership.is_admin
    assert speaking_for_choices(await client.get(KM)) == [str(organisation.id), "personal"]


async def test_anyone_may_sign_up_without_an_organisation_and_speak_for_themselves(client, db, smtp_server):
    await sign_up_and_confirm(client, smtp_server, organisation_id="none")
    nadia = await db.scalar(select(User).where(User.email == "nadia@example.org"))
    assert await db.scalar(select(func.count()).where(Membership.user_id == nadia.id)) == 0
    assert speaking_for_choices(await client.get(KM)) == ["personal"]
    assert (await post_position(client)).status_code == 303
    posted = await db.scalar(select(Contribution).where(Contribution.author_id == nadia.id))
    assert posted.organisation_id is None


async def test_an_organisation_without_admins_is_claimed_through_a_moderator(
    client, other_client, db, consultation, smtp_server
):
    organisation, admin = await verified_organisation_with_admin(db, name="Association Teranga", country="BE")
    old = await make_position(db, consultation, author=admin, organisation_id=organisation.id)
    await db.commit()
    await sign_in(other_client, admin.email, PASSWORD)
    assert (await post_form(other_client, f"/organisations/{organisation.id}/leave", {})).status_code == 303
    await post_form(other_client, "/sign-out", {})

    # The first person to come is not made its admin: they ask, and the moderators answer.
    await sign_up_and_confirm(client, smtp_server, organisation_id=str(organisation.id))
    nadia = await db.scalar(select(User).where(User.email == "nadia@example.org"))
    assert await db.scalar(select(func.count()).where(Membership.organisation_id == organisation.id)) == 0
    assert speaking_for_choices(await client.get(KM)) == ["personal"]

    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    await db.commit()
    await sign_in(other_client, moderator.email, PASSWORD)
    review = await other_client.get("/organisations/review")
    assert review.status_code == 200
    claim = soup(review).select_one(f"#claim-{organisation.id}")
    assert "Nadia Benali" in claim.get_text() and "Association Teranga" in claim.get_text()
    request_id = claim.select_one("input[name=request_id]")["value"]
    no_note = await post_form(other_client, "/organisations/claims", {"request_id": request_id, "action": "approve"})
    assert no_note.status_code == 422 and f"note-{request_id}" in field_errors(no_note)
    done = await post_form(
        other_client,
        "/organisations/claims",
        {"request_id": request_id, "action": "approve", "note": "Called the association's office in Brussels."},
    )
    assert done.status_code == 303

    membership = await db.scalar(
        select(Membership).where(Membership.user_id == nadia.id).execution_options(populate_existing=True)
    )
    assert (membership.organisation_id, membership.is_admin) == (organisation.id, True)
    await db.refresh(organisation)
    assert organisation.name == "Association Teranga" and organisation.verification is VerificationState.VERIFIED
    assert (await db.get(Contribution, old.id)).organisation_id == organisation.id
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == "organisations:membership:claim_approve"))
    assert event.details["note"] == "Called the association's office in Brussels."
    assert (await client.get(f"/organisations/{organisation.id}/members")).status_code == 200

    # A request to an organisation that has an admin is not the moderators' to answer.
    assert (
        await post_form(
            other_client, "/organisations/claims", {"request_id": request_id, "action": "approve", "note": "Again."}
        )
    ).status_code == 422


async def test_verification_lapses_when_the_checked_facts_change(client, other_client, db):
    organisation, admin = await verified_organisation_with_admin(db, name="Diaspora Network", country="FR")
    await sign_in(client, admin.email, PASSWORD)
    form = {
        "name": "Diaspora Network",
        "type": organisation.type.value,
        "country": "FR",
        "website": "",
        "description": "",
        "transparency_register_id": "",
        "ecosoc_status": "none",
    }
    url = f"/organisations/{organisation.id}/edit"
    assert (await post_form(client, url, {**form, "description": "We changed our description."})).status_code == 303
    await db.refresh(organisation)
    assert organisation.verification is VerificationState.VERIFIED
    assert "Verified" in visible_text(await client.get(f"/organisations/{organisation.id}"))

    renamed = await post_form(client, url, {**form, "name": "European Commission"})
    assert renamed.status_code == 303
    await db.refresh(organisation)
    assert organisation.verification is VerificationState.UNVERIFIED
    assert organisation.verification_lapsed_fields == ["name"]
    assert "Not verified yet." in visible_text(await client.get(f"/organisations/{organisation.id}"))
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == "organisations:organisation:verification_lapse"))
    assert event.actor_id == admin.id and event.details["previous"] == {"name": "Diaspora Network"}

    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    await db.commit()
    await sign_in(other_client, moderator.email, PASSWORD)
    lapsed = soup(await other_client.get("/organisations/review")).select_one(f"#lapsed-{organisation.id}")
    assert "European Commission" in lapsed.get_text() and "Name" in lapsed.get_text()
    assert "Diaspora Network" in lapsed.get_text()


async def test_sign_up_with_a_taken_address_answers_as_a_new_one_and_mails_the_owner(
    client, other_client, db, smtp_server
):
    owner = await make_user(db, email="taken@example.org", name="Owner")
    await db.commit()
    fresh = await post_form(client, "/sign-up", {**NEWCOMER, "email": "fresh@example.org", "organisation_id": "none"})
    taken = await post_form(
        other_client, "/sign-up", {**NEWCOMER, "email": "Taken@Example.org", "organisation_id": "none"}
    )
    assert (fresh.status_code, fresh.headers["location"]) == (taken.status_code, taken.headers["location"])
    assert set(fresh.cookies) == set(taken.cookies) and SESSION_COOKIE not in taken.cookies
    first, second = await client.get(fresh.headers["location"]), await other_client.get(taken.headers["location"])
    assert visible_text(first).replace("fresh@", "X@") == visible_text(second).replace("taken@", "X@")
    assert "Check your mail" in visible_text(second)

    [note] = smtp_server.to("taken@example.org")
    assert note.message["Subject"] == "You already have a Roundtable account"
    assert "/account/password-reset" in note.body and "/sign-in" in note.body
    await db.refresh(owner)
    assert owner.display_name == "Owner"
    assert await db.scalar(select(func.count()).select_from(User).where(User.email == "taken@example.org")) == 1


async def test_choosing_an_organisation_after_an_openid_sign_up_sends_a_request(client, db):
    """The complete-profile page (after a first OpenID sign-in) asks to join, like sign-up."""
    organisation, _admin = await verified_organisation_with_admin(db, name="Ghana Diaspora Network", country="NL")
    person = await make_user(db, with_organisation=False, name="Kofi")
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    response = await post_form(client, "/complete-profile", {"organisation_id": str(organisation.id), "next": KM})
    assert response.status_code == 303 and response.headers["location"] == KM
    page = await client.get(KM)
    assert "Your request to join Ghana Diaspora Network is sent" in visible_text(page)
    assert speaking_for_choices(page) == ["personal"]
    assert await db.scalar(select(func.count()).where(Membership.user_id == person.id)) == 0
