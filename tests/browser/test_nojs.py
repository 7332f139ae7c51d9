"""Without JavaScript every journey works with plain form posts and redirects."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import REFUSED_FORM, console_log, sign_in, tally_total, unique
from tests.live import LiveServer, key_message_path, person, post_position

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT2-KM3")


async def test_position_is_shown_after_the_redirect(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    before = await tally_total(page)
    # One current position per organisation: when the form shows one, posting replaces it.
    replaces = await page.locator("#current-positions li", has_text="The position of").count() > 0
    text = unique("We oppose the wording on return policy.")
    await page.get_by_role("radio", name="Oppose", exact=True).check()
    await page.get_by_label("Your contribution").fill(text)

    await page.get_by_role("button", name="Publish my position").click()

    await page.wait_for_url(lambda url: KEY_MESSAGE + "#c" in url)
    anchor = page.url.rpartition("#")[2]
    await expect(page.locator(".flash")).to_contain_text("Your contribution is published.")
    await expect(page.locator(f"#{anchor}")).to_contain_text(text)
    await expect(page.locator(f"#{anchor} .position")).to_have_text("Oppose")
    assert await tally_total(page) == before + (0 if replaces else 1)
    await expect(page.locator("#current-positions li", has_text="The position of")).to_contain_text("Oppose")


async def test_reply_through_the_reply_page(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    async with person(live_server, live_server.participant) as participant:
        parent_id = await post_position(participant, "RT2-KM3", unique("A position to reply to without JavaScript."))
    await sign_in(page, live_server.participant, KEY_MESSAGE)

    await page.locator(f"#c{parent_id}").get_by_role("link", name="Reply").first.click()
    await page.wait_for_url(f"**/contributions/{parent_id}/reply")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Awa Diop")
    text = unique("A reply posted as a plain form.")
    await page.get_by_label("Your reply to Awa Diop").fill(text)
    await page.get_by_role("button", name="Publish my reply").click()

    # A reply is read on its own page: it may sit deeper than any list shows.
    await page.wait_for_url(lambda url: "/contributions/" in url and "#c" in url and "/reply" not in url)
    anchor = page.url.rpartition("#")[2]
    assert page.url.endswith(f"/contributions/{anchor[1:]}#{anchor}")
    await expect(page.locator(f"#{anchor}")).to_contain_text(text)
    up = page.get_by_role("link", name="Up to the contribution this replies to")
    assert (await up.get_attribute("href")).startswith(f"/contributions/{parent_id}#")


async def test_refused_position_shows_the_error_next_to_the_field_and_keeps_the_text(
    page_nojs: Page, live_server: LiveServer
) -> None:
    page = page_nojs
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    text = unique("I forgot to choose a position.")
    await page.get_by_label("Your contribution").fill(text)

    await page.get_by_role("button", name="Publish my position").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Take a position on RT2-KM3")
    await expect(page.locator(".error-summary")).to_contain_text("Choose your position on this key message.")
    await expect(page.locator("#field-position .field-error")).to_contain_text("Choose your position")
    await expect(page.get_by_label("Your contribution")).to_have_value(text)
    await page.get_by_role("radio", name="Neutral", exact=True).check()
    await page.get_by_role("button", name="Publish my position").click()
    await page.wait_for_url(lambda url: KEY_MESSAGE + "#c" in url)
    await expect(page.locator(f"#{page.url.rpartition('#')[2]}")).to_contain_text(text)


async def test_refused_reply_links_its_error_to_the_field(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    console_log(page).allow(REFUSED_FORM)
    async with person(live_server, live_server.participant) as participant:
        parent_id = await post_position(participant, "RT2-KM3", unique("A position to reply to with spaces."))
    await sign_in(page, live_server.participant, f"/contributions/{parent_id}/reply")
    field = page.get_by_label("Your reply to Awa Diop")
    await field.fill("   ")  # passes the browser's `required` check, not the server's

    await page.get_by_role("button", name="Publish my reply").click()

    await expect(page.locator(".field-error")).to_contain_text("Write your contribution before publishing it.")
    await expect(field).to_have_attribute("aria-invalid", "true")
    summary_link = page.locator(".error-summary a")
    await expect(summary_link).to_have_text("Write your contribution before publishing it.")
    target = (await summary_link.get_attribute("href") or "").removeprefix("#")
    assert target == await field.get_attribute("id"), (
        f"the error summary links to #{target}, which is not the reply field"
    )


async def test_double_submit_publishes_once(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    text = unique("Submitted twice without JavaScript.")
    await page.get_by_label("Support", exact=True).check()
    await page.get_by_label("Your contribution").fill(text)

    await page.get_by_role("button", name="Publish my position").dblclick()

    # Two submissions make two navigations, and the second may abort the first (ERR_ABORTED,
    # which wait_for_url raises): wait for where the browser ends up, not for one navigation.
    await expect(page).to_have_url(re.compile(re.escape(KEY_MESSAGE) + r".*#c\d+$"))
    await page.wait_for_load_state()
    await expect(page.locator("li.contribution", has_text=text)).to_have_count(1)


async def test_show_more_goes_to_a_page_with_the_next_contributions(
    page_nojs: Page, paged_discussion: list[int]
) -> None:
    page = page_nojs
    await page.goto(key_message_path("RT1-KM2"))

    await page.get_by_role("link", name="Show more contributions").click()

    await page.wait_for_url("**/messages/RT1-KM2?after=*")
    items = page.locator("#threads > li.contribution")
    assert await items.evaluate_all("items => items.map(i => i.id)") == [f"c{n}" for n in paged_discussion[20:40]]
    await expect(items.first).to_contain_text("Position 21")
    await expect(page.get_by_role("link", name="Back to the first contributions")).to_be_visible()
    await page.get_by_role("link", name="Show more contributions").click()
    await expect(items).to_have_count(5)
    await expect(page.get_by_role("link", name="Show more contributions")).to_have_count(0)


async def test_position_on_a_long_discussion_is_shown_after_the_redirect(
    page_nojs: Page, live_server: LiveServer, crowded_discussion: list[int]
) -> None:
    page = page_nojs
    await sign_in(page, live_server.participant, key_message_path("RT1-KM3"))
    text = unique("Posted on a discussion longer than one page.")
    await page.get_by_label("Support", exact=True).check()
    await page.get_by_label("Your contribution").fill(text)

    await page.get_by_role("button", name="Publish my position").click()

    await page.wait_for_url(lambda url: "#c" in url)
    anchor = page.url.rpartition("#")[2]
    # Still on the key message page, the page it was posted from: above the list, marked as the author's.
    assert page.url.startswith(f"{live_server.base_url}{key_message_path('RT1-KM3')}?published="), page.url
    mine = page.locator(f"#just-published #{anchor}")
    await expect(mine, f"{page.url} does not show the new contribution").to_contain_text(text)
    await expect(page.locator("#just-published h3")).to_have_text("Yours, just published")
    await expect(page.locator(".flash")).to_contain_text("Your contribution is published.")


async def test_a_moderator_signs_in_with_a_code_and_reaches_the_moderation_page(
    page_nojs: Page, live_server: LiveServer
) -> None:
    page = page_nojs
    async with person(live_server, live_server.participant) as participant:
        contribution_id = await post_position(participant, "RT3-KM2", unique("A position to moderate."))
    await sign_in(page, live_server.moderator, f"/contributions/{contribution_id}/moderate")

    await expect(page.locator("h1")).to_have_text("Moderate a contribution")
