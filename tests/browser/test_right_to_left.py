"""The key message page in Arabic: the page mirrors (dir="rtl"), while the Dutch key message,
its redlines and the contributions keep their own direction; nothing scrolls sideways at 320 or
1280 px, the skip link and the header start on the right, and axe finds no violations."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, sign_in
from tests.live import LiveServer, key_message_path, person, post_form

pytestmark = pytest.mark.browser

REF = "RT3-KM2"
KEY_MESSAGE = key_message_path(REF)
WIDTHS = [320, 1280]


@pytest.fixture(scope="module")
async def amended(live_server: LiveServer) -> None:
    """A position with an amendment (a redline) and one in Arabic, so the tally has rows."""
    async with person(live_server, live_server.participant) as participant:
        data = {
            "position": "support_with_amendments",
            "amendment_text": "Alle lidstaten moeten samenwerken.",
            "body": "نؤيد هذه الرسالة مع تعديل: the wording should name the member states.",
            "submission_key": "rtl-amendment-01",
        }
        response = await post_form(participant, KEY_MESSAGE, f"{KEY_MESSAGE}/contributions", data)
        assert response.status_code == 303, response.text


@pytest.fixture
async def arabic(page: Page, live_server: LiveServer, amended: None) -> Page:
    await page.context.add_cookies([{"name": "rt_lang", "value": "ar", "url": live_server.base_url}])
    return page


@pytest.mark.parametrize("width", WIDTHS)
async def test_key_message_page_mirrors_in_arabic(arabic: Page, width: int) -> None:
    page = arabic
    await page.set_viewport_size({"width": width, "height": 640 if width == 320 else 900})
    await page.goto(KEY_MESSAGE)

    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    scroll_width, inner_width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"the Arabic page scrolls sideways at {width} px"
    # The header starts on the right: the site's name at the inline start, then the controls.
    name_box = await page.locator(".site-name a").bounding_box()
    header_box = await page.locator(".site-header").bounding_box()
    assert name_box and header_box
    header_end = header_box["x"] + header_box["width"]
    assert name_box["x"] + name_box["width"] >= header_end - 20, "the site's name is on the right"


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_skip_link_shows_on_the_right_when_focused(arabic: Page, width: int) -> None:
    page = arabic
    await page.set_viewport_size({"width": width, "height": 640})
    await page.goto(KEY_MESSAGE)

    await page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    await expect(skip_link).to_be_focused()
    await expect(skip_link).to_be_in_viewport()
    box = await skip_link.bounding_box()
    assert box is not None and box["x"] + box["width"] >= width - 20, "in a right-to-left page it sits at the right"
    assert await page.evaluate("document.documentElement.scrollWidth") <= width


async def test_dutch_text_and_redlines_keep_their_direction_inside_the_arabic_page(arabic: Page) -> None:
    page = arabic
    await page.goto(KEY_MESSAGE)

    original = page.locator(".key-message-text").first
    await expect(original).to_have_attribute("lang", "nl")
    assert await original.evaluate("el => getComputedStyle(el).direction") == "ltr"
    redline = page.locator("#threads .redline", has=page.locator("ins")).first
    await expect(redline).to_have_attribute("lang", "nl")
    assert await redline.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # Removed words come before the words that replace them, reading left to right.
    deleted = await redline.locator("del").first.bounding_box()
    inserted = await redline.locator("ins").first.bounding_box()
    assert deleted and inserted and deleted["x"] < inserted["x"]
    # The words a screen reader announces are Arabic, marked as such inside the Dutch text.
    await expect(redline.locator(".visually-hidden").first).to_have_attribute("lang", "ar")
    # A contribution's own text takes the direction of its first letters (here Arabic).
    body = page.locator("#threads .body", has_text="نؤيد هذه الرسالة").first
    await expect(body).to_have_attribute("dir", "auto")
    assert await body.evaluate("el => getComputedStyle(el).direction") == "rtl"


async def test_the_tally_reads_right_to_left(arabic: Page) -> None:
    page = arabic
    await page.goto(KEY_MESSAGE)

    headings = page.locator("#tally table").first.locator("thead th")
    first, last = await headings.first.bounding_box(), await headings.last.bounding_box()
    assert first and last and first["x"] > last["x"], "the row headings are the rightmost column"


@pytest.mark.parametrize("width", WIDTHS)
async def test_arabic_key_message_page_has_no_axe_violations(arabic: Page, live_server: LiveServer, width: int) -> None:
    page = arabic
    await page.set_viewport_size({"width": width, "height": 640 if width == 320 else 900})
    await page.goto(KEY_MESSAGE)
    await assert_no_axe_violations(page, f"the key message page in Arabic at {width} px")


async def test_arabic_key_message_page_signed_in_has_no_axe_violations(arabic: Page, live_server: LiveServer) -> None:
    """With the contribution form (its fields, hints and the amendment field in Dutch)."""
    page = arabic
    await page.set_viewport_size({"width": 320, "height": 640})
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await expect(page.locator("#contribution-form form")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    await assert_no_axe_violations(page, "the key message page in Arabic with the form, at 320 px")
