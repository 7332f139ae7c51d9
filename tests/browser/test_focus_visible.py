"""Keyboard focus is always visible and on screen (WCAG 2.4.7, 2.4.11, 2.4.13): Tab through whole
pages and check each stop (links, buttons, fields, summaries, the scroll regions of tables)
draws the focus ring and is not out of sight."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import sign_in
from tests.live import LiveServer, key_message_path, person, post_position

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT3-KM3")
MOST_TAB_STOPS = 400

#: The focused element: what it is, whether its ring shows (a 3px outline and the dark ring
#: around it) and whether any of it is inside the window.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 3 && style.boxShadow !== 'none';
  const onScreen = r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth;
  const kind = el.matches('.table-region') ? 'table region' : el.tagName.toLowerCase();
  const again = el.dataset.tabStop === 'seen';
  const html = el.outerHTML.slice(0, 100);
  el.dataset.tabStop = 'seen';
  return {kind, ring, onScreen, again, html};
}"""


async def tab_through(page: Page) -> list[dict[str, object]]:
    """Every Tab stop of the page once, from the top. Scrolling to the focused element is
    instant (reduced motion), so whether it is in sight is known at once."""
    await page.emulate_media(reduced_motion="reduce")
    stops: list[dict[str, object]] = []
    for _ in range(MOST_TAB_STOPS):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["again"]:
            break
        stops.append(focused)
    return stops


@pytest.fixture(scope="module")
async def discussed(live_server: LiveServer) -> None:
    """Positions, so that the tally (a scroll region) and its details (a summary) show."""
    async with person(live_server, live_server.participant) as participant:
        await post_position(participant, "RT3-KM3", "We support this (focus check).")


@pytest.mark.parametrize("width", [320, 1280])
async def test_every_tab_stop_on_the_key_message_page_shows_its_focus(
    page: Page, live_server: LiveServer, discussed: None, width: int
) -> None:
    await page.set_viewport_size({"width": width, "height": 640})
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await expect(page.locator("#contribution-form form")).to_be_visible()
    await page.evaluate("window.scrollTo(0, 0); document.activeElement.blur()")

    stops = await tab_through(page)

    kinds = {stop["kind"] for stop in stops}
    assert {"a", "button", "input", "select", "textarea", "summary", "table region"} <= kinds, kinds
    no_ring = [stop["html"] for stop in stops if not stop["ring"]]
    assert not no_ring, f"focus without a visible ring: {no_ring}"
    hidden = [stop["html"] for stop in stops if not stop["onScreen"]]
    assert not hidden, f"focus out of sight: {hidden}"


async def test_focus_shows_on_the_sign_up_form(page: Page) -> None:
    await page.goto("/sign-up")
    await page.evaluate("document.activeElement.blur()")

    stops = await tab_through(page)

    assert len(stops) > 5
    assert all(stop["ring"] for stop in stops), [stop["html"] for stop in stops if not stop["ring"]]
    assert all(stop["onScreen"] for stop in stops), [stop["html"] for stop in stops if not stop["onScreen"]]
