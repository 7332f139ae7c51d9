"""Issue 13's "done when": a newcomer, in English and in Arabic, on a phone (320 CSS px) and on
a desktop (1280 px), with the keyboard alone: chooses the language with the switcher, signs
up, confirms their address from the mail, takes a position with an amendment, replies to it,
and reads on with "Show more". At every step the page reflows without sideways scrolling and
axe finds no violation; focus lands on what changed.

Elements are found by their ids and names, not their (translated) labels, so one walk serves
every language."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import _fail_on_unexpected
from tests.browser.helpers import assert_no_axe_violations, unique, watch_console
from tests.browser.test_keyboard_journey import tab_to
from tests.live import LiveServer, key_message_path

pytestmark = pytest.mark.browser

#: No other browser test writes here: each walk adds one position and one reply.
KEY_MESSAGE = key_message_path("RT2-KM1")
WIDTHS = {"phone": (320, 640), "desktop": (1280, 900)}


async def assert_reflows(page: Page, where: str) -> None:
    """WCAG 1.4.10: nothing makes the page wider than the window."""
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: the page is {widths[0]} px wide in a {widths[1]} px window"


async def check(page: Page, where: str) -> None:
    await assert_reflows(page, where)
    await assert_no_axe_violations(page, where)


def confirmation_link(server: LiveServer, address: str) -> str:
    """The link in the mail the site wrote to its outbox (development mail, no SMTP server)."""
    outbox = Path(server.log_path).parent / "outbox"
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            [link] = re.findall(r"https?://\S+token=\S+", body)
            return link
    pytest.fail(f"no mail to {address} in {outbox}")


async def tab_to_group(page: Page, name: str) -> None:
    for _ in range(200):
        if await page.evaluate(f"() => document.activeElement?.name === {name!r}"):
            return
        await page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached the {name} choices")


async def choose_language_by_keyboard(page: Page, language: str) -> None:
    switch = page.locator("form.language-switch select")
    await tab_to(page, switch)
    options = await switch.locator("option").evaluate_all("options => options.map(o => o.value)")
    current = await switch.input_value()
    steps = options.index(language) - options.index(current)
    for _ in range(abs(steps)):
        await page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    await expect(switch).to_have_value(language)
    await tab_to(page, page.locator("form.language-switch button"))
    await page.keyboard.press("Enter")
    await expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_newcomer_walks_the_consultation_with_the_keyboard_alone(
    browser: Browser, live_server: LiveServer, paged_discussion: list[int], language: str, width: str
) -> None:
    viewport_width, viewport_height = WIDTHS[width]
    context = await browser.new_context(
        base_url=live_server.base_url, viewport={"width": viewport_width, "height": viewport_height}, locale="en-GB"
    )
    page = await context.new_page()
    log = watch_console(page)
    try:
        await walk(page, live_server, paged_discussion, language, width)
    finally:
        await context.close()
    _fail_on_unexpected(log)


async def walk(page: Page, server: LiveServer, paged: list[int], language: str, width: str) -> None:
    where = f"{language}, {width}"
    # The language, chosen with the switcher every page has.
    await page.goto("/sign-up")
    await choose_language_by_keyboard(page, language)
    await expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    await check(page, f"sign-up ({where})")

    # Sign up, speaking for oneself.
    address = f"newcomer-{uuid.uuid4().hex[:12]}@example.org"
    await tab_to(page, page.locator("#field-display_name"))
    await page.keyboard.type("Amina Keyboard")
    await page.keyboard.press("Tab")
    await page.keyboard.type(address)
    await page.keyboard.press("Tab")
    await page.keyboard.type("a long enough passphrase")
    # A radio group takes one Tab stop; the arrows choose within it.
    await tab_to_group(page, "organisation_id")
    none = page.locator("#field-organisation_id-none")
    for _ in range(10):
        if await none.is_checked():
            break
        await page.keyboard.press("ArrowDown")
    await expect(none).to_be_checked()
    await tab_to(page, page.locator("form[action='/sign-up'] > button[type=submit]"))
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/sign-up/check-your-mail"))
    await check(page, f"check your mail ({where})")

    # The link in the mail: the page shows one button, which confirms and signs in.
    await page.goto(confirmation_link(server, address))
    confirm = page.locator("main form button[type=submit]")
    await expect(confirm).to_have_count(1)
    await check(page, f"confirm the address ({where})")
    await tab_to(page, confirm)
    await page.keyboard.press("Enter")
    await expect(page.locator("form.language-switch input[name=csrf_token]")).to_have_count(1)  # signed in

    # A position with an amendment.
    await page.goto(KEY_MESSAGE)
    await check(page, f"the key message, signed in ({where})")
    form = page.locator("#contribution-form")
    await tab_to(page, form.locator("input[name=position][value=support]"))
    await page.keyboard.press("ArrowDown")
    await expect(form.locator("input[name=position][value=support_with_amendments]")).to_be_checked()
    wording = form.locator("textarea[name=amendment_text]")
    await tab_to(page, wording)
    await page.keyboard.press("Control+End")
    await page.keyboard.type(" Diaspora organisations are heard first.")
    await tab_to(page, form.locator("textarea[name=body]"))
    text = unique(f"Amended from the keyboard ({where}).")
    await page.keyboard.type(text)
    await tab_to(page, form.locator("button[type=submit]").last)
    await page.keyboard.press("Enter")
    mine = page.locator("#just-published li.contribution", has_text=text)
    await expect(mine.locator("> article")).to_be_focused()
    await expect(mine.locator("figure.amendment ins")).to_contain_text("Diaspora")

    # A reply to it.
    await tab_to(page, mine.locator("a[href$='/reply']").first)
    await page.keyboard.press("Enter")
    reply_field = mine.locator(".slot textarea[name=body]")
    await expect(reply_field).to_be_focused()
    reply_text = unique(f"A reply from the keyboard ({where}).")
    await page.keyboard.type(reply_text)
    await tab_to(page, mine.locator(".slot button[type=submit]").last)
    await page.keyboard.press("Enter")
    await expect(mine.locator("li.contribution", has_text=reply_text).locator("> article")).to_be_focused()
    await check(page, f"the key message after a position and a reply ({where})")

    # Reading on: "Show more" brings the next contributions, and focus to the first of them.
    await page.goto(key_message_path("RT1-KM2"))
    await tab_to(page, page.locator("#more a"))
    await page.keyboard.press("Enter")
    await expect(page.locator(f"#c{paged[20]} > article")).to_be_focused()
    await check(page, f"after Show more ({where})")
