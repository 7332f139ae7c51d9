"""Finding one's organisation at sign-up in a real browser (issue 13): typing asks for the
matching organisations (htmx, after a short pause) without reloading the page, a live region
says how many were found, and the keyboard reaches and chooses them."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, marker_survived, set_marker, sign_in
from tests.live import LiveServer

pytestmark = pytest.mark.browser

#: The participant's organisation on the live site (tests/live.py).
FORUM = "Senegalese Diaspora Forum (France)"


async def test_typing_finds_the_organisation_and_the_keyboard_chooses_it(page: Page) -> None:
    await page.goto("/sign-up")
    await expect(page.get_by_role("radio", name=FORUM)).to_have_count(0)
    await set_marker(page)
    search = page.get_by_label("Find your organisation")
    await search.focus()
    await page.keyboard.type("diaspora forum")
    forum = page.get_by_role("radio", name=FORUM)
    await expect(forum).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="organisation")).to_have_text("1 organisation found.")
    assert await marker_survived(page), "the choices came by htmx, not by loading the page again"
    await expect(search).to_be_focused()  # typing goes on where it was
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Search")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(forum).to_be_focused()
    await page.keyboard.press("Space")
    await expect(forum).to_be_checked()
    await assert_no_axe_violations(page, "sign-up with organisations found")
    # A new search keeps the organisation already chosen.
    await search.fill("nothing like it")
    await expect(page.get_by_role("status").filter(has_text="matches")).to_be_visible()
    await expect(forum).to_be_checked()


async def test_without_javascript_the_search_button_finds_it(page_nojs: Page) -> None:
    await page_nojs.goto("/sign-up")
    await page_nojs.get_by_label("Your name").fill("Awa")
    await page_nojs.get_by_label("Find your organisation").fill("senegalese")
    await page_nojs.get_by_role("button", name="Search").click()
    await expect(page_nojs.get_by_role("radio", name=FORUM)).to_be_visible()
    await expect(page_nojs.get_by_label("Your name")).to_have_value("Awa")


async def test_countries_of_origin_are_added_from_the_keyboard(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, "/account")
    await page.get_by_role("link", name="Senegalese Diaspora Forum").first.click()
    await page.get_by_role("link", name="Edit the profile").click()
    await set_marker(page)
    await page.get_by_label("Add a country").fill("Sénégal")
    await page.keyboard.press("Tab")  # to "Add"
    await expect(page.get_by_role("button", name="Add")).to_be_focused()
    await page.keyboard.press("Enter")
    senegal = page.get_by_role("checkbox", name="Senegal")
    await expect(senegal).to_be_checked()
    assert await marker_survived(page), "only the countries were swapped"
    await expect(page.get_by_label("Add a country")).to_be_focused()  # ready for the next one
    await expect(page.get_by_label("Add a country")).to_have_value("")
    await assert_no_axe_violations(page, "editing the countries of origin")
