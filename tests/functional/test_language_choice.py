"""Choosing the interface language (issue 13): from the browser's Accept-Language by default,
by a switcher that works without JavaScript, remembered in a cookie, at the same URLs; the
page says its language and direction; a signed-in person's choice is kept for their mail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.web.language import LANGUAGE_COOKIE
from tests.factories import PASSWORD, make_user
from tests.support import csrf_token, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"


def _html_attributes(response) -> tuple[str, str]:
    html = soup(response).html
    return html["lang"], html["dir"]


async def test_the_browsers_language_is_used_until_the_reader_chooses(client, consultation) -> None:
    page = await client.get(KM, headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert _html_attributes(page) == ("ar", "rtl")
    assert page.headers["content-language"] == "ar"
    assert "accept-language" in page.headers["vary"].lower()
    assert _html_attributes(await client.get(KM)) == ("en", "ltr")

    switched = await client.get("/language", params={"lang": "fr", "next": KM})
    assert switched.status_code == 303 and switched.headers["location"] == KM
    cookie = switched.headers["set-cookie"]
    assert f"{LANGUAGE_COOKIE}=fr" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    # The same address, now in French, whatever the browser prefers.
    page = await client.get(KM, headers={"Accept-Language": "ar"})
    assert _html_attributes(page) == ("fr", "ltr")


async def test_the_switcher_is_a_form_that_needs_no_script_and_keeps_the_page(client, consultation) -> None:
    page = soup(await client.get(f"{KM}?sort=newest"))
    form = page.select_one("form.language-switch")
    assert form["method"] == "get" and form["action"] == "/language"
    assert form.select_one("input[name=next]")["value"] == f"{KM}?sort=newest"
    options = {o["value"]: (o.get_text(strip=True), o["lang"]) for o in form.select("select[name=lang] option")}
    assert options["ar"] == ("العربية", "ar") and options["nl"] == ("Nederlands", "nl") and len(options) == 7
    label = form.select_one("label")
    assert label["for"] == form.select_one("select")["id"]
    # A reader's page carries no form token, so a shared cache may still keep it.
    assert not form.select("input[name=csrf_token]")


@pytest.mark.parametrize("bad", ["xx", "fr\x00", "<script>", "e" * 5000, "EN"])
async def test_a_language_that_is_not_offered_gets_the_list_not_a_cookie(client, consultation, bad) -> None:
    response = await client.get("/language", params={"lang": bad, "next": KM})
    assert response.status_code == 400
    assert LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")
    links = soup(response).select("ul.language-list a")
    assert len(links) == 7 and all(link["hreflang"] == link["lang"] for link in links)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
async def test_the_switcher_only_returns_to_this_site(client, target) -> None:
    response = await client.get("/language", params={"lang": "es", "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_another_site_cannot_change_a_readers_language(client) -> None:
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    response = await client.get("/language", params={"lang": "ru", "next": "/"}, headers=cross_site)
    assert response.status_code == 200 and "set-cookie" not in response.headers
    # The list it shows instead lets the reader choose with one click of their own.
    assert soup(response).select_one("a[hreflang=ru]")["href"].startswith("/language?lang=ru")


async def test_a_signed_in_choice_is_kept_for_their_mail_and_needs_the_form_token(client, db) -> None:
    user_id = (await make_user(db, email="lang@example.org")).id
    await db.commit()
    await sign_in(client, "lang@example.org", PASSWORD)
    form = soup(await client.get("/account")).select_one("form.language-switch")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")

    refused = await client.post("/language", data={"lang": "nl", "next": "/account"})
    assert refused.status_code == 403
    response = await post_form(client, "/language", {"lang": "nl", "next": "/account"})
    assert response.status_code == 303
    db.expire_all()
    assert await db.scalar(select(User.locale).where(User.id == user_id)) == "nl"
    assert _html_attributes(await client.get("/account")) == ("nl", "ltr")


async def test_a_person_signing_up_keeps_the_language_they_signed_up_in(client, db) -> None:
    await csrf_token(client)
    client.cookies.set(LANGUAGE_COOKIE, "es")
    response = await post_form(
        client,
        "/sign-up",
        {
            "display_name": "Ana Ruiz",
            "email": "ana@example.org",
            "password": "a long enough password",
            "organisation_id": "",
            "org_name": "Red de Migrantes",
            "org_type": "diaspora",
            "org_country": "ES",
        },
    )
    assert response.status_code == 303, response.text
    assert await db.scalar(select(User.locale).where(User.email == "ana@example.org")) == "es"


async def test_a_language_chosen_before_signing_in_becomes_the_accounts(client, db) -> None:
    user_id = (await make_user(db, email="later@example.org")).id
    await db.commit()
    await client.get("/language", params={"lang": "zh", "next": "/"})
    await sign_in(client, "later@example.org", PASSWORD)
    db.expire_all()
    assert await db.scalar(select(User.locale).where(User.id == user_id)) == "zh"
    assert _html_attributes(await client.get("/account")) == ("zh", "ltr")
