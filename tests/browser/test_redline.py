"""In a browser: a proposed amendment shows as a redline that says what changed without colour
(struck through, underlined, and read out), the page passes axe, and endorsing it opens in place."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, marker_survived, set_marker, sign_in, unique
from tests.live import LiveServer, key_message_path, person, post_form

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT2-KM2")


async def test_an_amendment_shows_as_an_accessible_redline(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    wording = form.get_by_label("Your wording of the key message")
    original = await wording.input_value()
    assert original.startswith("Alle staten moeten"), "the box starts with the key message to edit"
    reasons = unique("Only member states can be bound by this.")

    await form.get_by_label("Support with amendments").check()
    await wording.fill(original.replace("Alle staten", "Alle lidstaten", 1).replace(", ongeacht", " ongeacht", 1))
    await form.get_by_label("Your contribution").fill(reasons)
    await form.get_by_role("button", name="Publish my position").click()

    mine = page.locator("#just-published li.contribution", has_text=reasons)
    redline = mine.locator("figure.amendment .redline")
    await expect(redline).to_be_visible()
    await expect(redline.locator("del")).to_have_count(2)
    await expect(redline.locator("ins")).to_have_count(1)
    await expect(redline.locator("ins")).to_contain_text("lidstaten")
    await expect(redline.locator("del").first).to_contain_text("staten")
    await expect(redline.locator("del").last).to_contain_text(",")

    # What a screen reader reads: each change starts with words that are there but not seen.
    announced = redline.locator("del > .visually-hidden").first
    await expect(announced).to_have_text("deleted: ")
    await expect(redline.locator("ins > .visually-hidden").first).to_have_text("inserted: ")
    assert await announced.evaluate("e => e.getBoundingClientRect().width <= 1"), "hidden from sight"
    # Not colour alone: struck through and underlined.
    assert "line-through" in await redline.locator("del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in await redline.locator("ins").first.evaluate("e => getComputedStyle(e).textDecorationLine")

    await assert_no_axe_violations(page, "the key message page with a redline")
    await page.reload()
    card = page.locator("#positions section.amendments li", has=page.locator("ins", has_text="lidstaten"))
    await expect(card.first).to_be_visible()
    await assert_no_axe_violations(page, "the key message page with amendments side by side")


async def test_an_amendment_is_endorsed_in_place(page: Page, live_server: LiveServer) -> None:
    reasons = unique("Amended by the moderator, to be co-signed.")
    async with person(live_server, live_server.moderator) as moderator:
        response = await post_form(
            moderator,
            KEY_MESSAGE,
            f"{KEY_MESSAGE}/contributions",
            {
                "position": "support_with_amendments",
                "amendment_text": "Alle staten moeten de waardigheid van alle migranten eerbiedigen.",
                "body": reasons,
                "submission_key": secrets.token_hex(12),
            },
        )
        assert response.status_code == 303, response.text
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await set_marker(page)
    item = page.locator("#threads > li.contribution", has_text=reasons)

    await item.get_by_role("link", name="Endorse").click()
    panel = item.locator(".slot form")
    await expect(panel.get_by_label("Senegalese Diaspora Forum")).to_be_checked()
    await assert_no_axe_violations(page, "the key message page with the endorse form open")
    await panel.get_by_role("button", name="Endorse").click()

    await expect(item.get_by_role("status")).to_have_text("Senegalese Diaspora Forum endorses this contribution.")
    await expect(item.locator(".endorsements")).to_contain_text("Endorsed by 1 organisation")
    await expect(item.locator(".endorsers li")).to_contain_text(
        "Senegalese Diaspora Forum (Diaspora organisation, France)"
    )
    assert await marker_survived(page), "the page was reloaded instead of swapped"
