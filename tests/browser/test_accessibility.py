"""Accessibility in a real browser: axe finds no violations, and the keyboard works."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import AXE, REFUSED_FORM, assert_no_axe_violations, console_log, sign_in
from tests.live import LiveServer, key_message_path

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT2-KM3")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/consultations/com-2013-292/roundtables/RT2",
        KEY_MESSAGE,
        "/sign-up",
        "/sign-in",
        "/account/password-reset",
        "/account/password-reset/confirm?token=made-up",
        "/account/verify?token=made-up",
    ],
    ids=["home", "roundtable", "key-message-signed-out", "sign-up", "sign-in", "reset", "reset-confirm", "verify"],
)
async def test_page_has_no_axe_violations(page: Page, path: str) -> None:
    await page.goto(path)

    await assert_no_axe_violations(page, path)


async def test_account_page_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, "/account")
    await expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    await assert_no_axe_violations(page, "/account")


async def test_administration_pages_have_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.admin, "/admin/people")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await assert_no_axe_violations(page, "the people page")
    await page.goto("/admin/audit")
    await expect(page.locator("table")).to_be_visible()
    await assert_no_axe_violations(page, "the audit log")
    await page.goto("/admin/consultations")
    await expect(page.get_by_role("group", name="Pre-moderation")).to_have_count(1)
    await assert_no_axe_violations(page, "the consultations' administration")


async def test_two_factor_set_up_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, "/account/two-factor")
    await expect(page.locator(".qr-code svg")).to_be_visible()

    await assert_no_axe_violations(page, "the two-factor set-up page")


async def test_key_message_with_the_form_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await expect(page.locator("#contribution-form form")).to_be_visible()

    await assert_no_axe_violations(page, "the key message page with the form")


async def test_key_message_after_posting_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    await form.get_by_label("Neutral").check()
    await form.get_by_label("Your contribution").fill("Neutral, pending the impact assessment (axe check).")
    await form.get_by_role("button", name="Publish my position").click()
    await expect(form.get_by_role("status")).to_have_text("Your contribution is published.")
    mine = page.locator("#just-published .contribution", has_text="pending the impact assessment (axe check)")
    await mine.get_by_role("link", name="Reply").click()
    await expect(mine.get_by_role("button", name="Publish my reply")).to_be_visible()

    await assert_no_axe_violations(page, "the key message page after posting, with a reply form open")


async def test_error_summary_has_no_axe_violations_with_htmx(page: Page, live_server: LiveServer) -> None:
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    await form.get_by_label("Your contribution").fill("A position without choosing one.")
    await form.get_by_role("button", name="Publish my position").click()
    await expect(form.locator(".error-summary")).to_be_visible()

    await assert_no_axe_violations(page, "the key message page with the error summary (htmx)")


async def test_error_page_has_no_axe_violations_without_htmx(page: Page, live_server: LiveServer) -> None:
    """The page a browser without JavaScript gets; form.submit() skips htmx (and its submit event)."""
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await page.locator("#field-body").fill("A position without choosing one, posted as a plain form.")
    async with page.expect_navigation():
        await page.locator("#contribution-form form").evaluate("form => form.submit()")
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Take a position on RT2-KM3")

    await assert_no_axe_violations(page, "the contribution error page")


async def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    await page.goto(KEY_MESSAGE)

    await page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    await expect(skip_link).to_be_focused()
    await expect(skip_link).to_be_in_viewport()  # visible when focused
    await page.keyboard.press("Enter")

    await expect(page.locator("main")).to_be_focused()
    await page.keyboard.press("Tab")
    first_in_main = await page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert first_in_main, "the next Tab stop after the skip link should be inside main"


async def test_the_site_icon_loads(page: Page) -> None:
    """Browsers fetch an icon on their own; a missing one logs a 404 on every page."""
    await page.goto("/")
    icon = await page.evaluate(
        "document.querySelector('link[rel~=icon]')?.href ?? new URL('/favicon.ico', location.href).href"
    )

    response = await page.request.get(icon)

    assert response.ok, f"the site icon {icon} answers {response.status}"


async def test_axe_reports_violations(page: Page) -> None:
    """Guards the tests above: an axe that never reports would pass everything."""
    await page.set_content('<html><body><img src="x.png"><button></button></body></html>')

    results = await AXE.run(page)

    assert {"image-alt", "button-name", "html-has-lang"} <= {v["id"] for v in results.response["violations"]}
