"""The field for one's own wording appears when "Support with amendments" is chosen
(static/js/amendment.js); without JavaScript it is always there, as its hint explains."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import REFUSED_FORM, assert_no_axe_violations, console_log, sign_in, unique
from tests.live import LiveServer, key_message_path

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT3-KM2")
WORDING = "Your wording of the key message"


async def test_the_wording_appears_with_the_position_that_amends_chosen_by_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    wording = form.get_by_label(WORDING)
    await expect(wording).to_be_hidden()

    await form.get_by_label("Support", exact=True).focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowDown")  # the radio group's next choice
    await expect(form.get_by_label("Support with amendments")).to_be_focused()
    await expect(form.get_by_label("Support with amendments")).to_be_checked()
    await expect(wording).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(wording).to_be_focused()  # next in the tab order, named by its label
    assert await wording.evaluate("field => field.getAttribute('aria-describedby')") == "field-amendment_text-hint"
    await assert_no_axe_violations(page, "the position form with the wording field shown")

    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("ArrowDown")
    await expect(form.get_by_label("Oppose")).to_be_checked()
    await expect(wording).to_be_hidden()


async def test_wording_left_under_another_position_is_refused_and_shown(page: Page, live_server: LiveServer) -> None:
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    await form.get_by_label("Support with amendments").check()
    await form.get_by_label(WORDING).fill("Wording written, then the position changed.")
    await form.get_by_label("Oppose").check()
    await expect(form.get_by_label(WORDING)).to_be_hidden()
    await form.get_by_label("Your contribution").fill(unique("Oppose, with wording left behind."))
    await form.get_by_role("button", name="Publish my position").click()

    await expect(form.locator(".error-summary")).to_be_focused()
    await expect(form.get_by_label(WORDING)).to_be_visible()  # its error is never hidden
    await expect(form.get_by_label(WORDING)).to_have_value("Wording written, then the position changed.")


async def test_without_javascript_the_wording_is_always_there(page_nojs: Page, live_server: LiveServer) -> None:
    await sign_in(page_nojs, live_server.participant, KEY_MESSAGE)
    await expect(page_nojs.locator("#contribution-form").get_by_label(WORDING)).to_be_visible()
