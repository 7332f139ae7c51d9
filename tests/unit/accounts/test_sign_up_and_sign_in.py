"""Accounts: sign-up with an organisation, sign-in with a throttle, server-side sessions."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User, UserSession
from app.accounts.services import authenticate, deactivate_user
from app.accounts.sessions import SESSION_COOKIE
from app.audit.models import AuditEvent
from app.mail.models import OutgoingMail
from app.organisations.models import JoinRequest, Membership, Organisation
from tests.factories import PASSWORD, make_organisation, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text

VALID = {
    "display_name": "Aminata Diallo",
    "email": "Aminata@Example.org",
    "password": "a long enough password",
    "organisation_id": "",
    "org_name": "Forum des Sénégalais",
    "org_type": "diaspora",
    "org_country": "FR",
}


async def test_sign_up_registers_the_organisation_and_asks_to_confirm_the_address(client, db):
    response = await post_form(client, "/sign-up", VALID)
    assert response.status_code == 303 and response.headers["location"] == "/sign-up/check-your-mail"
    user = await db.scalar(select(User).where(User.email == "aminata@example.org"))
    organisation = await db.scalar(select(Organisation).join(Membership).where(Membership.user_id == user.id))
    assert (organisation.name, organisation.type.value, organisation.country) == (
        "Forum des Sénégalais",
        "diaspora",
        "FR",
    )
    page = await client.get(response.headers["location"])
    assert "We sent a message to aminata@example.org" in visible_text(page)
    assert "Signed in as" not in visible_text(page)  # signed in by the link, not before


async def test_sign_up_choosing_an_existing_organisation_asks_to_join_it(client, db):
    organisation = await make_organisation(db, name="Existing NGO")
    await db.commit()
    response = await post_form(client, "/sign-up", {**VALID, "organisation_id": str(organisation.id), "org_name": ""})
    assert response.status_code == 303
    user = await db.scalar(select(User).where(User.email == "aminata@example.org"))
    assert await db.scalar(select(Membership.organisation_id).where(Membership.user_id == user.id)) is None
    assert await db.scalar(select(JoinRequest.organisation_id).where(JoinRequest.user_id == user.id)) == organisation.id


async def test_sign_up_errors_keep_what_was_typed_but_not_the_password(client):
    response = await post_form(
        client, "/sign-up", {**VALID, "email": "not-an-email", "password": "short", "org_country": "XX"}
    )
    assert response.status_code == 422
    assert set(field_errors(response)) == {"email", "password", "org_country"}
    page = soup(response)
    assert page.select_one("#field-display_name")["value"] == "Aminata Diallo"
    assert page.select_one("#field-password")["value"] == ""
    assert page.select_one("#field-org_type option[selected]")["value"] == "diaspora"


async def test_sign_up_with_a_taken_email_answers_as_for_a_new_one(client, db):
    await make_user(db, email="aminata@example.org")
    await db.commit()
    response = await post_form(client, "/sign-up", VALID)
    assert response.status_code == 303 and response.headers["location"] == "/sign-up/check-your-mail"
    assert "already exists" not in visible_text(await client.get(response.headers["location"]))
    assert await db.scalar(select(func.count()).select_from(Organisation).where(Organisation.country == "FR")) == 0
    [mail] = (await db.scalars(select(OutgoingMail).where(OutgoingMail.recipient == "aminata@example.org"))).all()
    assert mail.subject == "You already have a Roundtable account"
    await post_form(client, "/sign-up", VALID)  # again at once: audited, but no second mail
    assert await db.scalar(select(func.count()).select_from(OutgoingMail)) == 1
    tags = (await db.scalars(select(AuditEvent.tag).where(AuditEvent.tag == "accounts:user:sign_up_existing"))).all()
    assert len(tags) == 2


async def test_countries_come_from_iso_3166(client):
    options = soup(await client.get("/sign-up")).select("#field-org_country option[value]")
    codes = {o["value"] for o in options if o["value"]}
    assert len(codes) >= 249 and {"SN", "NL", "PS", "SS"} <= codes


async def test_sign_in_rotates_the_session_and_sign_out_ends_it_on_the_server(client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    first = client.cookies[SESSION_COOKIE]
    await sign_in(client, user.email, PASSWORD)
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert await db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 1
    await post_form(client, "/sign-out", {})
    assert await db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
    client.cookies.set(SESSION_COOKIE, second)  # a copied cookie is useless once signed out
    assert "Signed in as" not in (await client.get("/")).text


async def test_disabling_an_account_ends_its_sessions_at_once(client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    await deactivate_user(db, user)
    await db.commit()
    assert "Signed in as" not in (await client.get("/")).text


async def test_wrong_password_is_a_clear_error(client, db):
    user = await make_user(db)
    await db.commit()
    response = await post_form(client, "/sign-in", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 422
    assert field_errors(response) == {"email": "The email address or password is not right."}


async def test_sign_in_is_throttled_per_account(client, db, settings):
    user = await make_user(db)
    await db.commit()
    for _ in range(settings.sign_in_max_failures):
        await post_form(client, "/sign-in", {"email": user.email, "password": "guess"})
    response = await post_form(client, "/sign-in", {"email": user.email.upper(), "password": PASSWORD})
    assert "Too many failed attempts" in field_errors(response)["email"]


async def test_a_successful_sign_in_clears_earlier_failures(db):
    user = await make_user(db)
    for _ in range(3):
        assert (await authenticate(db, user.email, "guess", max_failures=5, window_seconds=60)).user is None
    assert (await authenticate(db, user.email, PASSWORD, max_failures=5, window_seconds=60)).user == user
    for _ in range(3):  # a 4th in a row would have to wait (growing delays, see test_throttle.py)
        await authenticate(db, user.email, "guess", max_failures=5, window_seconds=60)
    assert not (await authenticate(db, user.email, "guess", max_failures=5, window_seconds=60)).throttled


async def test_sign_in_returns_to_the_page_it_came_from_but_only_on_this_site(client, db):
    user = await make_user(db)
    await db.commit()
    here = await post_form(
        client, "/sign-in", {"email": user.email, "password": PASSWORD, "next": "/consultations/com-2013-292"}
    )
    assert here.headers["location"] == "/consultations/com-2013-292"
    away = await post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD, "next": "//evil.example/"})
    assert away.headers["location"] == "/"


async def test_registering_an_organisation_again_asks_to_join_it_whatever_the_case(client, other_client, db):
    await post_form(client, "/sign-up", VALID)
    await post_form(other_client, "/sign-up", {**VALID, "email": "b@example.org", "org_name": "FORUM DES SÉNÉGALAIS"})
    names = (await db.scalars(select(Organisation.name).where(Organisation.country == "FR"))).all()
    assert names == ["Forum des Sénégalais"]
    second = await db.scalar(select(User).where(User.email == "b@example.org"))
    assert await db.scalar(select(func.count()).where(Membership.user_id == second.id)) == 0
    assert await db.scalar(select(func.count()).where(JoinRequest.user_id == second.id)) == 1


async def test_sign_up_returns_to_the_page_it_came_from_through_the_link(client, db):
    page = soup(await client.get("/sign-up?next=/consultations/com-2013-292/messages/RT2-KM3"))
    sign_up_form = page.select_one("form[action='/sign-up']")  # the language switcher has its own
    assert sign_up_form.select_one("input[name=next]")["value"] == "/consultations/com-2013-292/messages/RT2-KM3"
    await post_form(client, "/sign-up", {**VALID, "next": "/consultations/com-2013-292/messages/RT2-KM3"})
    mail = await db.scalar(select(OutgoingMail).where(OutgoingMail.recipient == "aminata@example.org"))
    [link] = [word for word in mail.body_text.split() if "/account/verify?token=" in word]
    path = link.removeprefix("http://127.0.0.1:8000")
    form = soup(await client.get(path)).select_one("form[action='/account/verify']")
    hidden = form.select("input[type=hidden]")
    values = {field["name"]: field["value"] for field in hidden if field["name"] != "csrf_token"}
    response = await post_form(client, "/account/verify", values)
    assert response.headers["location"] == "/consultations/com-2013-292/messages/RT2-KM3"


async def test_a_refused_sign_in_is_in_the_audit_log(client, db):
    user = await make_user(db)
    await db.commit()
    await post_form(client, "/sign-in", {"email": user.email, "password": "not the password"})
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == "accounts:user:sign_in_failed"))
    assert event is not None and event.subject_user_id == user.id and event.address is not None
