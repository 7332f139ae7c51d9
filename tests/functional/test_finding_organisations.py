"""Finding one's organisation at sign-up among many: a search by part of the name, as one
types (htmx asks the same page for its choices) and without JavaScript (the "Search" button
sends the form, which comes back with the organisations found and what was typed kept)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.organisations.directory import SEARCH_RESULTS
from app.organisations.models import JoinRequest
from tests.factories import PASSWORD, make_organisation, make_user
from tests.support import post_form, sign_in, soup, visible_text

HTMX = {"HX-Request": "true"}


def choice_labels(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The organisations offered, as a person reads them (not "none" and "not listed")."""
    page = soup(response)
    return [
        " ".join(page.select_one(f"label[for='{radio['id']}']").get_text().split())
        for radio in page.select("#organisation-choices input[name=organisation_id]")
        if radio["value"] not in ("", "none")
    ]


async def many_organisations(db) -> None:  # type: ignore[no-untyped-def]
    for number in range(60):
        await make_organisation(db, name=f"Association {number:02d}", country="BE")
    await make_organisation(db, name="Forum des Sénégalais de France", country="FR")
    await make_organisation(db, name="Forum des Sénégalais", country="SN")
    await make_organisation(db, name="Union des Forums", country="ML")
    await make_organisation(db, name="100% Solidarity_Network", country="DE")
    await db.commit()


async def test_the_page_lists_no_organisation_until_one_searches(client, db):
    await many_organisations(db)
    page = await client.get("/sign-up")
    assert choice_labels(page) == []
    assert "Type part of the organisation's name" in visible_text(page)


async def test_typing_asks_for_the_choices_only_and_finds_by_any_word(client, db):
    await many_organisations(db)
    response = await client.get("/sign-up", params={"q": "  FORUM  sénégalais "}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]
    # Those whose name starts with the first word come first, then by name.
    assert choice_labels(response) == [
        "Forum des Sénégalais (Senegal)",
        "Forum des Sénégalais de France (France)",
    ]
    assert soup(response).select_one("#organisation-search-status").get_text(strip=True) == "2 organisations found."
    union = await client.get("/sign-up", params={"q": "forum"}, headers=HTMX)
    assert choice_labels(union)[-1] == "Union des Forums (Mali)"


async def test_results_are_limited_and_say_so(client, db):
    await many_organisations(db)
    response = await client.get("/sign-up", params={"q": "association"}, headers=HTMX)
    assert len(choice_labels(response)) == SEARCH_RESULTS
    assert "More organisations match: type more of the name." in visible_text(response)


async def test_wildcards_and_control_characters_are_read_as_typed(client, db):
    await many_organisations(db)
    percent = await client.get("/sign-up", params={"q": "%"}, headers=HTMX)
    assert choice_labels(percent) == ["100% Solidarity_Network (Germany)"]
    underscore = await client.get("/sign-up", params={"q": "y_n"}, headers=HTMX)
    assert choice_labels(underscore) == ["100% Solidarity_Network (Germany)"]
    assert choice_labels(await client.get("/sign-up", params={"q": "_"}, headers=HTMX)) == [
        "100% Solidarity_Network (Germany)"
    ]
    controls = await client.get("/sign-up", params={"q": "For\x00um\x1b des\u200b"}, headers=HTMX)
    assert controls.status_code == 200
    assert "Forum des Sénégalais (Senegal)" in choice_labels(controls)
    huge = await client.get("/sign-up", params={"q": "a" * 10_000}, headers=HTMX)
    assert huge.status_code == 200 and choice_labels(huge) == []


async def test_without_javascript_the_search_button_brings_the_page_back_with_the_matches(client, db):
    await many_organisations(db)
    typed = {
        "display_name": "Aminata Diallo",
        "email": "aminata@example.org",
        "password": "a long enough password",
        "q": "sénégalais france",
        "searched_q": "",
        "find_organisation": "1",
    }
    response = await post_form(client, "/sign-up", typed)
    assert response.status_code == 200
    assert choice_labels(response) == ["Forum des Sénégalais de France (France)"]
    page = soup(response)
    assert page.select_one("#field-display_name")["value"] == "Aminata Diallo"
    assert page.select_one("#field-email")["value"] == "aminata@example.org"
    assert page.select_one("#field-password")["value"] == ""  # never sent back
    assert page.select_one("input[name=searched_q]")["value"] == "sénégalais france"
    assert await db.scalar(select(User).where(User.email == "aminata@example.org")) is None
    # Choosing it and sending the form (Enter sends the first button, Search: the query is
    # the one already shown, so the form is sent) asks to join it.
    chosen = page.select_one("#organisation-choices input[name=organisation_id][value!='']")["value"]
    done = await post_form(client, "/sign-up", {**typed, "searched_q": "sénégalais france", "organisation_id": chosen})
    assert done.status_code == 303
    user = await db.scalar(select(User).where(User.email == "aminata@example.org"))
    request = await db.scalar(select(JoinRequest).where(JoinRequest.user_id == user.id))
    assert request is not None and str(request.organisation_id) == chosen


async def test_a_new_search_keeps_the_organisation_already_chosen(client, db):
    await many_organisations(db)
    chosen = await make_organisation(db, name="Jeunes Migrants", country="ML")
    await db.commit()
    response = await client.get("/sign-up", params={"q": "forum", "organisation_id": str(chosen.id)}, headers=HTMX)
    assert choice_labels(response)[0] == "Jeunes Migrants (Mali)"
    assert soup(response).select_one(f"#field-organisation_id-{chosen.id}").has_attr("checked")


async def test_choices_show_only_what_profiles_show(client, db):
    await many_organisations(db)
    response = await client.get("/sign-up", params={"q": "union"}, headers=HTMX)
    choices = soup(response).select_one("#organisation-choices")
    assert [label.get_text(" ", strip=True) for label in choices.select("label")] == [
        "Union des Forums (Mali)",
        "My organisation is not listed: I register it below",
        "None: I speak for myself",
    ]


async def test_anyone_finds_an_organisation_page_to_ask_to_join_it(client, db):
    await many_organisations(db)
    senegal = await make_organisation(db, name="Forum des Sénégalais", country="SN")
    page = await client.get("/organisations", params={"q": "sénégalais"})
    links = [(a.get_text(strip=True), a["href"]) for a in soup(page).select("#organisation-results a")]
    assert links[0] == ("Forum des Sénégalais", f"/organisations/{senegal.id}") and len(links) == 2
    swap = await client.get("/organisations", params={"q": "sénégalais"}, headers=HTMX)
    assert "<html" not in swap.text and len(soup(swap).select("#organisation-results li")) == 2
    assert soup(swap).select_one("[data-hx-swap-oob]").get_text(strip=True) == "2 organisations found."
    hostile = await client.get("/organisations", params={"q": "%\x00_" + "x" * 10_000})
    assert hostile.status_code == 200 and soup(hostile).select("#organisation-results li") == []


async def test_the_account_page_links_to_finding_an_organisation(client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    account = soup(await client.get("/account"))
    assert account.select_one("main a[href='/organisations']").get_text(strip=True) == "Find an organisation"


async def test_completing_a_profile_after_an_openid_sign_in_searches_the_same_way(client, db):
    await many_organisations(db)
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    swap = await client.get("/complete-profile", params={"q": "union"}, headers=HTMX)
    assert choice_labels(swap) == ["Union des Forums (Mali)"]
    searched = await post_form(client, "/complete-profile", {"q": "forum sénégalais", "find_organisation": "1"})
    assert searched.status_code == 200 and len(choice_labels(searched)) == 2
    assert soup(searched).select_one("#field-q")["data-hx-get"] == "/complete-profile"


async def test_accents_and_case_do_not_matter(client, db):
    await many_organisations(db)
    response = await client.get("/sign-up", params={"q": "SENEGALAIS france"}, headers=HTMX)
    assert choice_labels(response) == ["Forum des Sénégalais de France (France)"]
    accented = await client.get("/organisations", params={"q": "Únion"})
    assert [a.get_text(strip=True) for a in soup(accented).select("#organisation-results a")] == ["Union des Forums"]
