"""In a browser: contributions others post appear on an open key message page without a
reload (the live server polls every second, see tests/live.py), and the sort and topic form
swaps the list in place with JavaScript and reloads the page without."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import marker_survived, set_marker, unique
from tests.live import LiveServer, key_message_path, person, post_position, post_positions, post_reply

pytestmark = pytest.mark.browser

LIVE = key_message_path("RT3-KM3")
SORTED = key_message_path("RT2-KM4")


async def test_contributions_posted_elsewhere_appear_without_a_reload(page: Page, live_server: LiveServer) -> None:
    await page.goto(LIVE)
    await set_marker(page)
    news = page.locator("#live-list > li.contribution")
    heading = page.get_by_role("heading", name="New since you opened the page")
    await expect(heading).to_be_hidden()

    position = unique("Posted by another participant while the page is open.")
    async with person(live_server, live_server.participant) as participant:
        position_id = await post_position(participant, "RT3-KM3", position)
    await expect(news.filter(has_text=position)).to_have_count(1)
    await expect(page.locator("#live-status")).to_have_text("1 new contribution")
    await expect(heading).to_be_visible()
    await expect(news.filter(has_text=position).locator(".author")).to_have_text("Awa Diop")

    reply = unique("A reply, posted from another browser.")
    async with person(live_server, live_server.participant) as participant:
        await post_reply(participant, position_id, reply)
    arrived = news.filter(has_text=reply)
    await expect(arrived).to_have_count(1)
    await expect(arrived.locator(".in-reply-to a")).to_have_text("In reply to Awa Diop")
    await expect(news).to_have_count(2)  # each once, in the order they were written
    assert await news.evaluate_all("items => items.map(i => i.id)") == [
        f"c{position_id}",
        await arrived.get_attribute("id"),
    ]
    assert await marker_survived(page), "the page was reloaded instead of updated in place"


async def test_the_sort_form_swaps_the_list_in_place(page: Page, live_server: LiveServer) -> None:
    async with person(live_server, live_server.participant) as participant:
        ids = await post_positions(participant, "RT2-KM4", [unique("Older"), unique("Newer")])
    await page.goto(SORTED)
    await set_marker(page)
    await page.get_by_label("Sort by", exact=True).select_option(label="Newest first")
    await page.get_by_role("button", name="Apply").click()

    await page.wait_for_url("**/messages/RT2-KM4?sort=newest*")
    first = page.locator("#threads > li.contribution").first
    await expect(first).to_have_id(f"c{ids[1]}")
    await expect(page.get_by_label("Sort by", exact=True)).to_have_value("newest")
    assert await marker_survived(page), "the list should be swapped, not the page reloaded"


async def test_the_sort_form_works_without_javascript(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    async with person(live_server, live_server.participant) as participant:
        ids = await post_positions(participant, "RT2-KM4", [unique("Earlier"), unique("Later")])
    await page.goto(SORTED)
    await page.get_by_label("Sort by", exact=True).select_option(label="Newest first")
    await page.get_by_role("button", name="Apply").click()

    await page.wait_for_url("**/messages/RT2-KM4?sort=newest*")
    await expect(page.locator("#threads > li.contribution").first).to_have_id(f"c{ids[1]}")
