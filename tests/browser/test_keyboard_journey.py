"""With the keyboard alone (after signing in): a position with an amendment, a reply to it and
"Show more", each answer taking focus to what changed (static/js/focus.js), so the person
goes on from there instead of from the top of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import assert_no_axe_violations, sign_in, unique
from tests.live import LiveServer, key_message_path

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT4-KM2")
TABS = 400


async def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus, as a keyboard user would."""
    for _ in range(TABS):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Shift+Tab" if backwards else "Tab")
    pytest.fail(f"Tab never reached {target}")


async def test_a_position_with_an_amendment_and_a_reply_from_the_keyboard(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")

    await tab_to(page, form.get_by_label("Support", exact=True))
    await page.keyboard.press("ArrowDown")  # the next position: it amends
    await expect(form.get_by_label("Support with amendments")).to_be_checked()
    await page.keyboard.press("Tab")
    wording = form.get_by_label("Your wording of the key message")
    await expect(wording).to_be_focused()
    await page.keyboard.press("Control+End")
    await page.keyboard.type(" Diaspora organisations are heard first.")
    await tab_to(page, form.get_by_label("Your contribution"))
    text = unique("Amended from the keyboard.")
    await page.keyboard.type(text)
    await tab_to(page, form.get_by_role("button", name="Publish my position"))
    await page.keyboard.press("Enter")

    mine = page.locator("#just-published li.contribution", has_text=text)
    await expect(mine.locator("> article")).to_be_focused()
    await expect(mine.locator("figure.amendment ins")).to_contain_text("Diaspora")

    await tab_to(page, mine.get_by_role("link", name="Reply"))
    await page.keyboard.press("Enter")
    reply_field = mine.locator(".slot textarea[name=body]")
    await expect(reply_field).to_be_focused()
    reply_text = unique("A reply from the keyboard.")
    await page.keyboard.type(reply_text)
    await tab_to(page, mine.get_by_role("button", name="Publish my reply"))
    await page.keyboard.press("Enter")

    reply = mine.locator("li.contribution", has_text=reply_text)
    await expect(reply.locator("> article")).to_be_focused()
    await assert_no_axe_violations(page, "the key message page after a position and a reply by keyboard")


async def test_show_more_from_the_keyboard(page: Page, paged_discussion: list[int]) -> None:
    await page.goto(key_message_path("RT1-KM2"))
    more = page.get_by_role("link", name="Show more contributions")
    await tab_to(page, more)
    await page.keyboard.press("Enter")

    first_new = page.locator(f"#c{paged_discussion[20]} > article")
    await expect(first_new).to_be_focused()
    await page.keyboard.press("Tab")  # on from there: into the first new contribution
    assert await page.evaluate(
        f"() => document.getElementById('c{paged_discussion[20]}').contains(document.activeElement)"
    )
