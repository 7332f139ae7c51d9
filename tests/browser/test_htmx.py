"""With JavaScript, publishing, replying and paging swap parts of the page in place (htmx), and
keyboard focus moves to what changed (static/js/focus.js)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import (
    REFUSED_FORM,
    console_log,
    marker_survived,
    set_marker,
    sign_in,
    tally_total,
    unique,
)
from tests.live import LiveServer, key_message_path, person, post_position

pytestmark = pytest.mark.browser

KEY_MESSAGE = key_message_path("RT2-KM3")


def contribution_form(page: Page) -> Locator:
    return page.locator("#contribution-form")


async def submission_key(page: Page) -> str:
    return await contribution_form(page).locator("input[name=submission_key]").input_value()


async def top_level_ids(page: Page) -> list[str]:
    return await page.locator("#threads > li.contribution").evaluate_all("items => items.map(i => i.id)")


def just_published(page: Page) -> Locator:
    """The reader's own position, shown above the list once published."""
    return page.locator("#just-published li.contribution")


async def focused_id(page: Page) -> str:
    """The id of the focused element, or of the contribution whose article is focused."""
    return str(
        await page.evaluate(
            "() => { const a = document.activeElement; return a.matches('article') ? a.closest('li').id : a.id; }"
        )
    )


async def test_position_appears_without_reload_and_updates_the_tally(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    before = await tally_total(page)
    # One current position per organisation: when the form shows one, posting replaces it.
    replaces = await page.locator("#current-positions li", has_text="The position of").count() > 0
    old_key = await submission_key(page)
    text = unique("We support this, with amendments on circular migration.")
    await set_marker(page)

    form = contribution_form(page)
    await form.get_by_label("Support with amendments").check()
    await form.get_by_label("Your wording of the key message").fill("Circular migration must be recognised.")
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()

    mine = just_published(page)
    await expect(mine).to_have_count(1)
    await expect(mine).to_contain_text(text)
    await expect(page.locator("#just-published h3")).to_have_text("Yours, just published")
    await expect(mine.locator("article").first).to_be_focused()
    await expect(mine.locator(".position")).to_have_text("Support with amendments")
    await expect(mine.locator(".org")).to_have_text("Senegalese Diaspora Forum")
    await expect(page.locator("#tally tfoot td").last).to_have_text(str(before + (0 if replaces else 1)))
    await expect(form.locator("#current-positions")).to_contain_text("Support with amendments")
    await expect(form.get_by_role("status")).to_have_text("Your contribution is published.")
    await expect(form.get_by_label("Your contribution")).to_have_value("")
    await expect(form.locator("input[name=position]:checked")).to_have_count(0)
    assert await submission_key(page) != old_key, "the fresh form needs a new one-time key"
    assert await marker_survived(page), "the page was reloaded instead of swapped"


async def test_reply_form_opens_inline_and_the_reply_appears_under_its_parent(
    page: Page, live_server: LiveServer
) -> None:
    async with person(live_server, live_server.participant) as participant:
        parent_id = await post_position(participant, "RT2-KM3", unique("A position to reply to."))
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await set_marker(page)
    parent = page.locator(f"#c{parent_id}")

    await parent.get_by_role("link", name="Reply").first.click()
    reply_form = page.locator(f"#c{parent_id} > article > .slot form")
    await expect(reply_form).to_be_visible()
    assert page.url.endswith(KEY_MESSAGE), "the reply form should open in place"
    await expect(reply_form.get_by_role("textbox")).to_be_focused()
    text = unique("We agree, and would add remittance costs.")
    await page.keyboard.type(text)
    await reply_form.get_by_role("button", name="Publish my reply").click()

    reply = parent.locator("li.contribution", has_text=text)
    await expect(reply).to_have_count(1)
    await expect(reply.locator("article")).to_be_focused()
    await expect(reply.locator(".position")).to_have_count(0)
    await expect(page.locator(f"#c{parent_id} > article > .slot form")).to_have_count(0)
    assert await marker_survived(page), "the page was reloaded instead of swapped"


async def test_refused_position_shows_the_errors_and_keeps_what_was_written(
    page: Page, live_server: LiveServer
) -> None:
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await set_marker(page)
    form = contribution_form(page)
    text = unique("A position I forgot to choose.")
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()

    summary = form.locator(".error-summary")
    await expect(summary).to_contain_text("Choose your position on this key message.")
    await expect(summary).to_be_focused()
    await expect(form.locator("#field-position-error")).to_contain_text("Choose your position")
    await expect(form.locator("#field-position")).to_have_attribute("aria-describedby", "field-position-error")
    await expect(form.get_by_label("Your contribution")).to_have_value(text)

    # Only spaces pass the browser's `required` check; the server refuses them and keeps the position.
    await form.get_by_label("Oppose").check()
    await form.get_by_label("Your contribution").fill("   ")
    await form.get_by_role("button", name="Publish my position").click()
    await expect(summary).to_contain_text("Write your contribution before publishing it.")
    await expect(summary).to_be_focused()
    await expect(form.get_by_label("Your contribution")).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_label("Oppose")).to_be_checked()
    await expect(page.locator("#threads li.contribution", has_text=text)).to_have_count(0)
    assert await marker_survived(page), "the page was reloaded instead of swapped"


async def test_double_click_publishes_once(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = contribution_form(page)
    text = unique("Clicked twice in a hurry.")
    await form.get_by_label("Support", exact=True).check()
    await form.get_by_label("Your contribution").fill(text)

    await form.get_by_role("button", name="Publish my position").dblclick()

    await expect(form.get_by_role("status")).to_have_text("Your contribution is published.")
    await expect(page.locator("li.contribution", has_text=text)).to_have_count(1)
    await page.reload()
    await expect(page.locator("li.contribution", has_text=text)).to_have_count(1)


async def test_show_more_appends_the_next_contributions(page: Page, paged_discussion: list[int]) -> None:
    await page.goto(key_message_path("RT1-KM2"))
    await set_marker(page)
    more = page.get_by_role("link", name="Show more contributions")
    first_href = await more.get_attribute("href")
    assert await top_level_ids(page) == [f"c{n}" for n in paged_discussion[:20]]

    await more.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#threads > li.contribution")).to_have_count(40)
    await expect(page.locator(f"#c{paged_discussion[20]} > article")).to_be_focused()
    assert await more.get_attribute("href") != first_href, "the link should move on to the third page"
    await more.click()
    await expect(page.locator("#threads > li.contribution")).to_have_count(45)
    await expect(page.locator(f"#c{paged_discussion[40]} > article")).to_be_focused()

    await expect(more).to_have_count(0)
    assert await top_level_ids(page) == [f"c{n}" for n in paged_discussion]
    assert await marker_survived(page), "the page was reloaded instead of swapped"


async def test_first_position_replaces_the_no_contributions_message(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, key_message_path("RT3-KM1"))
    empty = page.get_by_text("No contributions yet.")
    await expect(empty).to_be_visible()
    form = contribution_form(page)
    await form.get_by_label("Neutral").check()
    await form.get_by_label("Your contribution").fill(unique("The first position here."))

    await form.get_by_role("button", name="Publish my position").click()

    await expect(just_published(page)).to_have_count(1)
    await expect(empty).to_be_hidden()


async def test_a_position_on_a_long_discussion_is_listed_once(
    page: Page, live_server: LiveServer, crowded_discussion: list[int]
) -> None:
    await sign_in(page, live_server.participant, key_message_path("RT1-KM3"))
    form = contribution_form(page)
    text = unique("Posted while only the first page is shown.")
    await form.get_by_label("Support", exact=True).check()
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()
    await expect(form.get_by_role("status")).to_contain_text("Your contribution is published.")
    # Not on this page of the list: shown at its top, as the author's own, and focused.
    mine = just_published(page)
    await expect(mine).to_contain_text(text)
    await expect(mine.locator("article").first).to_be_focused()
    mine_id = await mine.get_attribute("id")

    more = page.get_by_role("link", name="Show more contributions")
    items = page.locator("#threads > li.contribution")
    while await more.count():
        shown = await items.count()
        await more.click()
        await expect(items).not_to_have_count(shown)
    ids = await top_level_ids(page)

    assert len(ids) == len(set(ids)), f"contributions listed twice: {sorted({i for i in ids if ids.count(i) > 1})}"
    await expect(page.locator("#threads > li.contribution", has_text=text)).to_have_count(1)
    assert ids[-1] == mine_id, "the newest position belongs at the end of the list, after every earlier one"
    # Listed now, it is no longer shown a second time above the list (one id, one place).
    await expect(just_published(page)).to_have_count(0)
    assert await page.locator(f"[id='{mine_id}']").count() == 1


async def test_a_position_is_shown_at_the_top_whatever_the_order(page: Page, live_server: LiveServer) -> None:
    """Newest first would list it first, and a reload does (the list is the same for everyone):
    until then it is shown above the list, and a new order that lists it keeps it there only."""
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = contribution_form(page)
    text = unique("Published, then the list sorted newest first.")
    await form.get_by_label("Neutral").check()
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()
    await expect(just_published(page)).to_contain_text(text)
    mine_id = await just_published(page).get_attribute("id")
    assert await focused_id(page) == mine_id

    controls = page.get_by_role("form", name="Sort and filter the contributions")
    await controls.get_by_label("Sort by").select_option("newest")
    apply = controls.get_by_role("button", name="Apply")
    await apply.focus()
    await page.keyboard.press("Enter")

    await expect(page.locator("#threads > li.contribution").first).to_have_id(str(mine_id))
    await expect(just_published(page)).to_have_count(0)
    await expect(apply).to_be_focused()  # the form that asked keeps focus; the status line says what changed
    await expect(page.locator("#live-status")).to_have_text("The list of contributions is updated.")


async def test_endorsing_from_the_keyboard_moves_focus_through_the_panel(page: Page, live_server: LiveServer) -> None:
    """The panel opens under the contribution with focus on its choice; the answer, on the
    line saying what was done."""
    async with person(live_server, live_server.moderator) as moderator:
        endorsed_id = await post_position(moderator, "RT4-KM2", unique("A position to endorse."))
    await sign_in(page, live_server.participant, key_message_path("RT4-KM2"))
    endorse = page.locator(f"#c{endorsed_id}").get_by_role("link", name="Endorse").first
    await endorse.focus()
    await page.keyboard.press("Enter")

    panel = page.locator(f"#c{endorsed_id} > article > .slot")
    await expect(panel.get_by_role("radio").first).to_be_focused()
    # htmx gives the new panel its behaviour as it settles (20 ms): a person is slower than
    # that; a test pressing Enter at once would send the form without htmx. The class marks
    # the swap's target, the slot, until the new content is processed (not the panel inside,
    # which never has it: waiting on that let CI press Enter too soon).
    await expect(panel).not_to_have_class(re.compile("htmx-settling"))
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(panel.get_by_role("status")).to_be_focused()
