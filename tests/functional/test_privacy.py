"""A person downloads their data and deletes their account through the site; the pages
and exports forget them at once, while an organisation keeps what was said for it."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE
from app.audit.models import AuditEvent
from app.audit.services import PRIVACY_EXPORT
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_reply, make_user
from tests.support import download_export, field_errors, post_form, sign_in, soup, visible_text

NAME = "Aminata Diallo-Ndiaye"
EMAIL = "aminata.ndiaye@example.org"
KM = "/consultations/com-2013-292/messages/RT3-KM2"


async def test_download_my_data_as_json(client, db):
    user = await make_user(db, name=NAME, email=EMAIL)
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)

    page = await client.get("/account/data")
    assert page.status_code == 200 and soup(page).select_one("form[action='/account/data']") is not None
    response = await post_form(client, "/account/data", {})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == NAME and data["profile"]["email"] == EMAIL
    assert user.password_hash is not None and user.password_hash not in response.text
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == PRIVACY_EXPORT))
    assert event is not None and event.actor_id == user.id and event.subject_user_id == user.id


async def test_account_page_links_to_the_rights(client, db):
    await make_user(db, email=EMAIL)
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)
    links = {a["href"] for a in soup(await client.get("/account")).select("main a[href]")}
    assert {"/account/data", "/account/delete", "/privacy"} <= links


async def test_privacy_notice_is_public_and_states_the_periods(client):
    response = await client.get("/privacy")
    assert response.status_code == 200
    text = visible_text(response)
    assert "30 days" in text and "90 days" in text
    assert soup(response).select_one("footer a[href='/privacy']") is not None


async def test_a_wrong_password_is_shown_next_to_the_field(client, db):
    await make_user(db, email=EMAIL)
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)

    response = await post_form(client, "/account/delete", {"password": "not my password", "contributions": "remove"})

    assert response.status_code == 422
    assert "password" in field_errors(response)
    page = soup(response)
    assert page.select_one("#contributions-remove[checked]") is not None  # the choice is kept
    assert page.select_one("#field-password")["value"] == ""  # the password is not
    assert (await client.get("/account")).status_code == 200  # still signed in


async def test_deleting_erases_the_person_from_pages_and_exports(client, other_client, db, consultation):
    organisation = await make_organisation(db, name="Forum des Sénégalais de Belgique")
    user = await make_user(db, name=NAME, email=EMAIL, organisation=organisation)
    await make_user(db, organisation=organisation)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    replier = await make_user(db)
    personal = await make_position(db, consultation, author=user, ref="RT3-KM2", body="My personal view, Aminata.")
    spoken = await make_position(db, consultation, author=user, ref="RT3-KM2", body="The forum's position.")
    spoken.organisation_id = organisation.id
    personal.organisation_id = None
    reply = await make_reply(db, author=replier, parent=personal, body="A reply that stays readable.")
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)
    for reader in (client, other_client):  # the page (and its stored fragments) name the person
        assert NAME in (await reader.get(KM)).text

    response = await post_form(client, "/account/delete", {"password": PASSWORD, "contributions": "remove"})

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert SESSION_COOKIE not in client.cookies
    assert (await client.get("/account")).status_code == 303  # signed out
    refused = await post_form(client, "/sign-in", {"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 422

    page = await other_client.get(KM)
    assert NAME not in page.text and EMAIL not in page.text and "Aminata" not in page.text
    items = {item["id"]: item for item in soup(page).select("li.contribution")}
    assert "Withdrawn by its author" in items[f"c{personal.id}"].select_one("article").get_text()
    assert "A reply that stays readable." in items[f"c{reply.id}"].get_text()
    spoken_meta = items[f"c{spoken.id}"].select_one(".meta")
    assert spoken_meta.select_one(".author") is None
    assert "Forum des Sénégalais de Belgique" in spoken_meta.get_text()
    assert "The forum's position." in items[f"c{spoken.id}"].get_text()

    await sign_in(other_client, negotiator.email, PASSWORD)
    # The CSV says its statuses in words.
    for fmt, withdrawn in (("json", '"withdrawn"'), ("csv", "Withdrawn by its author")):
        exported = await download_export(other_client, db, "/consultations/com-2013-292", fmt)
        assert exported.status_code == 200
        text = exported.content.decode()
        assert NAME not in text and EMAIL not in text and "Aminata" not in text
        assert "Former participant" in text and withdrawn in text
    data = json.loads((await download_export(other_client, db, "/consultations/com-2013-292", "json")).content)
    [message] = [m for r in data["roundtables"] for m in r["key_messages"] if m["ref"] == "RT3-KM2"]
    records = {c["id"]: c for c in message["contributions"]}
    assert records[personal.id]["body"] is None and records[personal.id]["status"] == "withdrawn"
    assert records[spoken.id]["organisation"]["name"] == "Forum des Sénégalais de Belgique"
    assert records[spoken.id]["body"] == "The forum's position."


async def test_keeping_personal_contributions_shows_a_former_participant(client, other_client, db, consultation):
    user = await make_user(db, name=NAME, email=EMAIL, with_organisation=False)
    kept = await make_position(db, consultation, author=user, ref="RT3-KM2", body="Words that stay.")
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)

    response = await post_form(client, "/account/delete", {"password": PASSWORD, "contributions": "keep"})

    assert response.status_code == 303
    page = await other_client.get(KM)
    assert NAME not in page.text
    item = soup(page).select_one(f"#c{kept.id}")
    assert item.select_one(".author").get_text() == "Former participant"
    assert "Words that stay." in item.get_text()
    thread = await other_client.get(f"/contributions/{kept.id}")
    assert NAME not in thread.text and "Former participant" in visible_text(thread)


async def test_a_person_without_a_password_confirms_with_their_address(client, db):
    user = await make_user(db, email=EMAIL)
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)
    user.password_hash = None  # as if they only ever signed in through a provider
    await db.commit()

    page = await client.get("/account/delete")
    assert soup(page).select_one("#field-email") is not None and soup(page).select_one("#field-password") is None
    wrong = await post_form(client, "/account/delete", {"email": "someone@example.org", "contributions": "keep"})
    assert wrong.status_code == 422 and "email" in field_errors(wrong)
    response = await post_form(client, "/account/delete", {"email": EMAIL.upper(), "contributions": "keep"})

    assert response.status_code == 303
    erased = await db.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))
    assert erased is not None and erased.erased_at is not None


async def test_the_last_admin_of_an_organisation_is_asked_to_hand_over(client, db):
    organisation = await make_organisation(db, name="Diaspora Forum")
    user = await make_user(db, email=EMAIL, organisation=organisation)
    await make_user(db, organisation=organisation)
    user.memberships[0].is_admin = True
    await db.commit()
    await sign_in(client, EMAIL, PASSWORD)

    assert "Diaspora Forum" in visible_text(await client.get("/account/delete"))
    response = await post_form(client, "/account/delete", {"password": PASSWORD, "contributions": "keep"})

    assert response.status_code == 409
    assert "Diaspora Forum" in field_errors(response)["contributions"]
    assert (await client.get("/account")).status_code == 200
