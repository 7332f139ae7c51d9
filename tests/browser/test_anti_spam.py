"""The anti-spam honeypot in a real browser (docs/decisions/0020): people can neither see nor
reach it, by sight, keyboard or screen reader; a form whose honeypot was filled comes back
through htmx with the text kept."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import REFUSED_FORM, console_log, marker_survived, set_marker, sign_in, unique
from tests.live import LiveServer, key_message_path

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT2-KM3")
POLITE = "Sorry, we could not accept the form this time. Please check it and send it again."


async def focus_stops(page: Page, limit: int = 80) -> list[str]:
    """The name (or id) of each element Tab reaches, from the top of the page."""
    stops = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        stops.append(await page.evaluate("(document.activeElement.name || document.activeElement.id || '')"))
    return stops


async def test_nobody_sees_reaches_or_hears_the_honeypot(page: Page) -> None:
    await page.goto("/sign-up")
    trap = page.locator("input[name=homepage]")
    await expect(trap).to_have_count(1)
    await expect(trap).not_to_be_in_viewport()
    # aria-hidden: not in the accessibility tree, so no screen reader announces it.
    await expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    stops = await focus_stops(page)
    assert "display_name" in stops and "password" in stops, "Tab goes through the form"
    assert "homepage" not in stops


async def test_a_person_signs_up_in_the_browser(page: Page) -> None:
    await page.goto("/sign-up")
    await page.get_by_label("Your name").fill("Fatou Ndiaye")
    await page.get_by_label("Email address").fill(f"fatou-{secrets.token_hex(4)}@example.org")
    await page.get_by_label("Password").fill("a long enough password")
    await page.locator("#field-organisation_id").select_option("none")
    await page.get_by_role("button", name="Create my account").click()
    await expect(page).to_have_url("/sign-up/check-your-mail")


async def test_a_filled_honeypot_brings_the_form_back_with_the_text_through_htmx(
    page: Page, live_server: LiveServer
) -> None:
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await set_marker(page)
    form = page.locator("#contribution-form")
    text = unique("A position a bot wrote.")
    await form.get_by_label("Neutral").check()
    await form.get_by_label("Your contribution").fill(text)
    await form.locator("input[name=homepage]").evaluate("trap => { trap.value = 'https://pills.example' }")
    await form.get_by_role("button", name="Publish my position").click()

    await expect(form.locator(".error-summary")).to_contain_text(POLITE)
    await expect(form.get_by_label("Your contribution")).to_have_value(text)
    await expect(form.locator("input[name=homepage]")).to_have_value("")
    await expect(page.locator("li.contribution", has_text=text)).to_have_count(0)
    assert await marker_survived(page), "swapped in place, no reload"
