"""Journeys of organisations: the profile, its admins editing it and managing members
(requests to join, invitations by real mail, leaving), moderators verifying it, speaking
for it or personally, and what tallies and exports say about it."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.discussion.models import Contribution
from app.organisations.models import JoinRequest, Membership, OrganisationType
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.mail_server import MailServer, sending_to, smtp_server
from tests.support import download_export, field_errors, post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

KM = "/consultations/com-2013-292/messages/RT2-KM3"


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    return sending_to(app, smtp_server)


async def org_with_admin(db, **kwargs):  # type: ignore[no-untyped-def]
    organisation = await make_organisation(db, **kwargs)
    admin = await make_user(db, organisation=organisation, organisation_admin=True)
    await db.commit()
    return organisation, admin


async def test_profile_shows_the_organisation_its_region_members_and_contributions(client, db, consultation):
    organisation, admin = await org_with_admin(db, name="Forum des Sénégalais", country="FR")
    organisation.description = "We <script>represent</script> people."
    member = await make_user(db, organisation=organisation, name="Moussa Ba")
    contribution = await make_position(db, consultation, author=member)
    await db.commit()
    response = await client.get(f"/organisations/{organisation.id}")
    assert response.status_code == 200
    text = visible_text(response)
    assert "Forum des Sénégalais" in text and "France" in text and "Europe — Western Europe" in text
    assert "We <script>represent</script> people." in text  # escaped, shown as typed
    assert soup(response).select_one(".description script") is None
    assert f"{admin.display_name} Admin" in text and "Moussa Ba" in text
    links = [a["href"] for a in soup(response).select(".organisation-contributions a")]
    assert f"{KM}#c{contribution.id}" in links
    assert (await client.get("/organisations/999999")).status_code == 404


async def test_admin_edits_the_profile_and_format_errors_sit_next_to_fields(client, db):
    organisation, admin = await org_with_admin(db, name="Diaspora Network", country="FR")
    await sign_in(client, admin.email, PASSWORD)
    form = {
        "name": "Diaspora Network",
        "type": "diaspora",
        "country": "FR",
        "website": "example.org",
        "description": "Text kept",
        "transparency_register_id": "12345-1",
        "ecosoc_status": "special",
    }
    response = await post_form(client, f"/organisations/{organisation.id}/edit", form)
    assert response.status_code == 422
    errors = field_errors(response)
    assert set(errors) == {"website", "transparency_register_id", "origin_countries"}
    page = soup(response)
    assert page.select_one("#field-description").get_text() == "Text kept"
    assert page.select_one("#field-transparency_register_id")["value"] == "12345-1"
    fixed = {**form, "website": "https://example.org", "transparency_register_id": "123456789012-34"}
    response = await post_form(client, f"/organisations/{organisation.id}/edit", {**fixed, "origin_countries": "SN"})
    assert response.status_code == 303, response.text
    await db.refresh(organisation)
    assert organisation.origin_countries == ["SN"]
    assert organisation.transparency_register_id == "123456789012-34"
    profile = visible_text(await client.get(f"/organisations/{organisation.id}"))
    assert "Senegal" in profile and "Special consultative status" in profile


async def test_a_person_asks_to_join_and_an_admin_approves_or_declines(client, other_client, db):
    organisation, admin = await org_with_admin(db)
    asker, declined = await make_user(db), await make_user(db)
    await db.commit()
    await sign_in(other_client, asker.email, PASSWORD)
    response = await post_form(other_client, f"/organisations/{organisation.id}/join", {"message": "I run the office."})
    assert response.status_code == 303
    assert "have not answered yet" in visible_text(await other_client.get(f"/organisations/{organisation.id}"))
    await sign_in(client, admin.email, PASSWORD)
    page = await client.get(f"/organisations/{organisation.id}/members")
    assert "I run the office." in visible_text(page)
    request_id = soup(page).select_one("input[name=request_id]")["value"]
    response = await post_form(
        client, f"/organisations/{organisation.id}/members/requests", {"request_id": request_id, "action": "approve"}
    )
    assert response.status_code == 303
    assert await db.scalar(
        select(Membership).where(Membership.user_id == asker.id, Membership.organisation_id == organisation.id)
    )
    db.add(JoinRequest(organisation_id=organisation.id, user_id=declined.id, message=""))
    await db.commit()
    page = await client.get(f"/organisations/{organisation.id}/members")
    request_id = soup(page).select_one("input[name=request_id]")["value"]
    await post_form(
        client, f"/organisations/{organisation.id}/members/requests", {"request_id": request_id, "action": "decline"}
    )
    assert not await db.scalar(
        select(Membership).where(Membership.user_id == declined.id, Membership.organisation_id == organisation.id)
    )
    # Answering twice is explained next to the list, not a crash.
    again = await post_form(
        client, f"/organisations/{organisation.id}/members/requests", {"request_id": request_id, "action": "approve"}
    )
    assert again.status_code == 422 and "already been answered" in field_errors(again)["request_id"]


async def test_the_last_admin_hands_over_before_leaving(client, db):
    organisation, admin = await org_with_admin(db)
    member = await make_user(db, organisation=organisation)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    refused = await post_form(client, f"/organisations/{organisation.id}/leave", {})
    assert refused.status_code == 422 and "only admin" in field_errors(refused)["leave"]
    made = await post_form(client, f"/organisations/{organisation.id}/members/admins", {"user_id": str(member.id)})
    assert made.status_code == 303
    assert (await post_form(client, f"/organisations/{organisation.id}/leave", {})).status_code == 303
    member_id = member.id
    query = select(Membership).where(Membership.organisation_id == organisation.id)
    remaining = (await db.scalars(query.execution_options(populate_existing=True))).all()
    assert [(m.user_id, m.is_admin) for m in remaining] == [(member_id, True)]


async def test_an_admin_removes_a_member(client, db):
    organisation, admin = await org_with_admin(db)
    member = await make_user(db, organisation=organisation)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    response = await post_form(client, f"/organisations/{organisation.id}/members/remove", {"user_id": str(member.id)})
    assert response.status_code == 303
    assert not await db.scalar(select(Membership).where(Membership.user_id == member.id))


async def test_an_invitation_by_mail_adds_the_invited_person_once(client, other_client, db, smtp_server):
    organisation, admin = await org_with_admin(db, name="Invited Org")
    invited = await make_user(db, email="invited.person@example.org")
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    response = await post_form(
        client, f"/organisations/{organisation.id}/invitations", {"email": "Invited.Person@example.org"}
    )
    assert response.status_code == 303
    [mail] = smtp_server.to("invited.person@example.org")
    assert "Invited Org" in mail.body
    [link] = [url for url in mail.links() if "token=" in url]
    path = f"{urlsplit(link).path}?{urlsplit(link).query}"
    # Anonymous: asked to sign in (or sign up) with the address.
    assert "Sign in with that address" in visible_text(await other_client.get(path))
    await sign_in(other_client, invited.email, PASSWORD)
    page = await other_client.get(path)
    token = soup(page).select_one("input[name=token]")["value"]
    accepted = await post_form(other_client, "/organisations/invitations", {"token": token})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/organisations/{organisation.id}"
    assert await db.scalar(select(Membership).where(Membership.user_id == invited.id))
    again = await post_form(other_client, "/organisations/invitations", {"token": token})
    assert again.status_code == 400 and "already been used" in visible_text(again)


async def test_an_invitation_is_refused_to_another_account(client, other_client, db, smtp_server):
    organisation, admin = await org_with_admin(db)
    stranger = await make_user(db)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    await post_form(client, f"/organisations/{organisation.id}/invitations", {"email": "someone.else@example.org"})
    [mail] = smtp_server.to("someone.else@example.org")
    [link] = [url for url in mail.links() if "token=" in url]
    token = link.split("token=")[1]
    await sign_in(other_client, stranger.email, PASSWORD)
    refused = await post_form(other_client, "/organisations/invitations", {"token": token})
    assert refused.status_code == 400 and "someone.else@example.org" in visible_text(refused)


async def test_verifying_shows_the_badge_on_a_cached_key_message_page(client, other_client, db, consultation):
    organisation, admin = await org_with_admin(db, name="Checked Org")
    await make_position(db, consultation, author=admin)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    before = await client.get(KM)  # renders and caches the first page
    assert "Verified" not in soup(before).select_one(".contribution .meta").get_text()
    await sign_in(other_client, moderator.email, PASSWORD)
    missing = await post_form(
        other_client, f"/organisations/{organisation.id}/verify", {"action": "verify", "note": ""}
    )
    assert missing.status_code == 422 and "note" in field_errors(missing)
    done = await post_form(
        other_client,
        f"/organisations/{organisation.id}/verify",
        {"action": "verify", "note": "Checked the French register of associations."},
    )
    assert done.status_code == 303
    meta = soup(await client.get(KM)).select_one(".contribution .meta")
    assert meta.select_one(".badge-verified") is not None
    assert meta.select_one("a.org")["href"] == f"/organisations/{organisation.id}"
    assert "Verified" in visible_text(await client.get(f"/organisations/{organisation.id}"))
    await post_form(
        other_client, f"/organisations/{organisation.id}/verify", {"action": "unverify", "note": "Registration lapsed."}
    )
    assert soup(await client.get(KM)).select_one(".contribution .badge-verified") is None


async def test_a_member_speaks_personally_or_for_their_organisation(client, db, consultation):
    organisation, admin = await org_with_admin(db)
    await sign_in(client, admin.email, PASSWORD)
    page = soup(await client.get(KM))
    options = [o["value"] for o in page.select("#field-organisation_id option")]
    assert options == [str(organisation.id), "personal"]
    assert page.select_one("#field-organisation_id option[selected]")["value"] == str(organisation.id)
    data = {
        "position": "support",
        "body": "Personally, yes.",
        "submission_key": "p" * 16,
        "organisation_id": "personal",
    }
    assert (await post_form(client, f"{KM}/contributions", data)).status_code == 303
    mine = await db.scalar(select(Contribution).where(Contribution.submission_key == "p" * 16))
    assert mine is not None and mine.organisation_id is None
    other = await make_organisation(db)
    await db.commit()
    data = {**data, "submission_key": "q" * 16, "organisation_id": str(other.id)}
    refused = await post_form(client, f"{KM}/contributions", data)
    assert refused.status_code == 422 and "belong to" in field_errors(refused)["organisation_id"]


async def test_tallies_and_exports_count_by_origin_and_residence(client, db, consultation):
    diaspora, speaker = await org_with_admin(db, type=OrganisationType.DIASPORA, country="FR")
    diaspora.origin_countries = ["SN"]
    await make_position(db, consultation, author=speaker, position="support")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    details = soup(await client.get(KM)).select_one("#tally details")
    assert details is not None
    captions = {c.get_text(): c.find_parent("table") for c in details.select("caption")}
    origin = captions["Positions of diaspora organisations by country of origin"]
    residence = captions["Positions by country of registration"]
    assert origin.select_one("tbody th").get_text() == "Senegal"
    assert residence.select_one("tbody th").get_text() == "France"
    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, "/consultations/com-2013-292", "json")).text)
    message = next(m for s in exported["roundtables"] for m in s["key_messages"] if m["ref"] == "RT2-KM3")
    assert message["counts"]["by_origin"]["SN"]["support"] == 1
    assert message["counts"]["by_country"]["FR"]["support"] == 1
    record = message["contributions"][-1]["organisation"]
    assert record["verified"] is False and record["origin_countries"] == ["SN"]
    rows = list(
        csv.DictReader(io.StringIO((await download_export(client, db, "/consultations/com-2013-292", "csv")).text))
    )
    # The CSV names the countries, with the codes beside them.
    assert (rows[-1]["origin_countries"], rows[-1]["origin_country_codes"], rows[-1]["verified"]) == (
        "Senegal",
        "SN",
        "No",
    )
