"""Choosing a diaspora organisation's countries of origin from the keyboard (issue 13): a
text field with the country names as suggestions and an "Add" button, the chosen countries
as checkboxes to untick. Without JavaScript "Add" sends the form, which comes back with the
country added and nothing saved; with htmx only the countries are swapped."""

from __future__ import annotations

from app.organisations.models import OrganisationType
from tests.factories import PASSWORD, make_organisation, make_user
from tests.support import field_errors, post_form, sign_in, soup

PROFILE = {
    "name": "Forum des Sénégalais",
    "type": "diaspora",
    "country": "FR",
    "website": "",
    "description": "Kept as typed",
    "transparency_register_id": "",
    "ecosoc_status": "none",
}


async def admin_of_a_diaspora_organisation(client, db):  # type: ignore[no-untyped-def]
    organisation = await make_organisation(
        db, name="Forum des Sénégalais", type=OrganisationType.DIASPORA, country="FR"
    )
    admin = await make_user(db, organisation=organisation, organisation_admin=True)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    return organisation


def chosen(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = soup(response)
    return {
        box["value"]: page.select_one(f"label[for='{box['id']}']").get_text(strip=True)
        for box in page.select("#origins input[name=origin_countries][checked]")
    }


async def test_countries_are_added_by_name_without_javascript_and_saved_with_the_profile(client, db):
    organisation = await admin_of_a_diaspora_organisation(client, db)
    edit = f"/organisations/{organisation.id}/edit"
    page = await client.get(edit, headers={"Accept-Language": "fr"})
    names = [option["value"] for option in soup(page).select("datalist#country-names option")]
    assert "Sénégal" in names and len(names) >= 249
    added = await post_form(
        client, edit, {**PROFILE, "origin_add": "sénégal", "action": "add_origin"}, headers={"Accept-Language": "fr"}
    )
    assert added.status_code == 200 and chosen(added) == {"SN": "Sénégal"}
    assert soup(added).select_one("#field-origin_add")["value"] == ""
    assert soup(added).select_one("#field-description").get_text() == "Kept as typed"
    await db.refresh(organisation)
    assert organisation.origin_countries == []  # nothing saved yet
    again = await post_form(
        client, edit, {**PROFILE, "origin_countries": "SN", "origin_add": "Mali", "action": "add_origin"}
    )
    assert chosen(again) == {"SN": "Senegal", "ML": "Mali"}
    # Enter in another field sends the first button, "Add", with nothing to add: it saves.
    saved = await post_form(
        client, edit, {**PROFILE, "origin_countries": ["SN", "ML"], "origin_add": "", "action": "add_origin"}
    )
    assert saved.status_code == 303
    await db.refresh(organisation)
    assert organisation.origin_countries == ["ML", "SN"]


async def test_unticking_a_country_removes_it_when_saved(client, db):
    organisation = await admin_of_a_diaspora_organisation(client, db)
    organisation.origin_countries = ["ML", "SN"]
    await db.commit()
    edit = f"/organisations/{organisation.id}/edit"
    assert chosen(await client.get(edit)) == {"ML": "Mali", "SN": "Senegal"}
    assert (await post_form(client, edit, {**PROFILE, "origin_countries": "SN"})).status_code == 303
    await db.refresh(organisation)
    assert organisation.origin_countries == ["SN"]


async def test_an_unknown_country_is_kept_with_the_error_next_to_its_field(client, db):
    organisation = await admin_of_a_diaspora_organisation(client, db)
    edit = f"/organisations/{organisation.id}/edit"
    typed = "Atlantis <b>"
    response = await post_form(
        client, edit, {**PROFILE, "origin_countries": "SN", "origin_add": typed, "action": "add_origin"}
    )
    assert response.status_code == 422
    assert field_errors(response)["origin_add"] == "No country is called “Atlantis <b>”: choose one from the list."
    field = soup(response).select_one("#field-origin_add")
    assert field["value"] == typed and "field-origin_add-error" in field["aria-describedby"]
    assert chosen(response) == {"SN": "Senegal"}
    # A diaspora organisation without any country cannot be saved; the error sits by the field.
    refused = await post_form(client, edit, PROFILE)
    assert refused.status_code == 422 and "origin_countries" in field_errors(refused)


async def test_htmx_swaps_only_the_countries(client, db):
    organisation = await admin_of_a_diaspora_organisation(client, db)
    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        {**PROFILE, "origin_add": "sn", "action": "add_origin"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    page = soup(response)
    assert page.select_one("fieldset#origins") is not None and page.select_one("#field-name") is None
    assert chosen(response) == {"SN": "Senegal"}
    assert page.select_one("#field-origin_add").has_attr("autofocus")
