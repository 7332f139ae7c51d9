"""The moderation queue in a real browser (issue 11): with htmx a decided item leaves the
list in place and focus moves to the next one; without JavaScript the same forms post and
come back to the queue; axe finds nothing on the queue or the report form."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import REFUSED_FORM, assert_no_axe_violations, console_log, sign_in, unique
from tests.live import LiveServer, person, post_form, post_position, post_reply

pytestmark = pytest.mark.browser


async def reported_contributions(live_server: LiveServer, ref: str, count: int) -> list[int]:
    """`count` contributions by the administrator on `ref`, each reported by the participant."""
    async with person(live_server, live_server.admin) as author:
        root = await post_position(author, ref, unique(f"Queue test position on {ref}."))
        ids = [root] + [await post_reply(author, root, unique(f"Queue test reply {n}.")) for n in range(count - 1)]
    async with person(live_server, live_server.participant) as reader:
        for contribution_id in ids:
            path = f"/contributions/{contribution_id}/report"
            response = await post_form(reader, path, path, {"reason": "spam", "explanation": "Looks like an advert."})
            assert response.status_code == 303, response.text
    return ids


def queue_of(ref: str) -> str:
    return f"/moderation?consultation=com-2013-292&message={ref}"


async def test_with_htmx_a_decided_item_leaves_and_focus_moves_to_the_next(page: Page, live_server: LiveServer) -> None:
    console_log(page).allow(REFUSED_FORM)
    await reported_contributions(live_server, "RT4-KM2", 3)
    await sign_in(page, live_server.moderator, queue_of("RT4-KM2"))
    items = page.locator("li.queue-item")
    await expect(items).to_have_count(3)
    await assert_no_axe_violations(page, "the moderation queue")
    first, second = items.nth(0), items.nth(1)
    second_id = await second.get_attribute("id")
    marker = await page.evaluate("() => (window.__stayed = 'yes')")  # gone if the page reloads

    # A refused decision: the item comes back with its error, focus on it, the text kept.
    await first.get_by_label("Hide", exact=True).check()
    await first.get_by_role("button", name="Decide").click()
    await expect(first.locator(".field-error")).to_be_visible()
    await expect(first.locator(".field-error")).to_be_focused()

    await first.get_by_label("Reason", exact=True).fill("Advertising, not a view on the key message.")
    await first.get_by_role("button", name="Decide").click()
    await expect(items).to_have_count(2)
    await expect(page.locator("#queue-status")).to_have_text("Decided: Hide. 2 items wait.")
    await expect(page.locator(f"#{second_id} .queue-item-title")).to_be_focused()
    assert await page.evaluate("() => window.__stayed") == marker

    # From the keyboard: the next item's decision, then the last one; focus ends on the status.
    for _ in range(2):
        item = items.first
        await item.get_by_label("Keep as it is").check()
        await item.get_by_label("Reason", exact=True).fill("Read it: it is on topic.")
        await item.get_by_label("Reason", exact=True).press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("#queue-status")).to_contain_text("Decided: Keep as it is.")
    await expect(items).to_have_count(0)
    await expect(page.locator("#queue-status")).to_be_focused()


async def test_without_javascript_a_decision_comes_back_to_the_queue(page_nojs: Page, live_server: LiveServer) -> None:
    page = page_nojs
    [contribution_id] = await reported_contributions(live_server, "RT4-KM1", 1)
    await sign_in(page, live_server.moderator, queue_of("RT4-KM1"))
    item = page.locator("li.queue-item")
    await expect(item).to_have_count(1)
    await item.get_by_label("Hide", exact=True).check()
    await item.get_by_label("Reason", exact=True).fill("Advertising.")
    await item.get_by_role("button", name="Decide").click()
    await page.wait_for_url(lambda url: "message=RT4-KM1" in url and "/decision" not in url)
    await expect(page.get_by_text("Decided: Hide.")).to_be_visible()
    await expect(page.locator("li.queue-item")).to_have_count(0)
    await page.goto(f"/contributions/{contribution_id}")
    await expect(page.locator(f"#c{contribution_id}")).to_contain_text("Advertising.")


async def test_the_report_form_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    async with person(live_server, live_server.admin) as author:
        contribution_id = await post_position(author, "RT4-KM4", unique("A position to report."))
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.participant, f"/contributions/{contribution_id}/report")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await assert_no_axe_violations(page, "the report form")
    await page.get_by_role("button", name="Send the report").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await assert_no_axe_violations(page, "the report form with errors")


async def test_the_moderators_other_pages_and_the_authors_appeal_have_no_axe_violations(
    page: Page, live_server: LiveServer
) -> None:
    """The moderation page (with its lock form), highlight, summary and merge forms, the
    public log and its figures, and the appeal form of the author of a hidden reply."""
    async with person(live_server, live_server.participant) as author:
        root = await post_position(author, "RT4-KM5", unique("A position whose thread gets curated."))
        reply = await post_reply(author, root, unique("A reply a moderator will hide."))
    await sign_in(page, live_server.moderator, f"/contributions/{root}/summary")
    for path, what in (
        (f"/contributions/{root}/summary", "the summary form"),
        (f"/contributions/{reply}/highlight", "the highlight form"),
        (f"/contributions/{root}/merge", "the merge form"),
        (f"/contributions/{reply}/moderate", "the moderation page"),
    ):
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await assert_no_axe_violations(page, what)
    await page.locator("#field-reason").fill("Hidden for the appeal's accessibility check.")
    await page.get_by_role("button", name="Apply").click()
    await page.wait_for_url(f"**/contributions/{reply}#c{reply}")
    for path, what in (
        ("/consultations/com-2013-292/moderation-log", "the public moderation log"),
        ("/consultations/com-2013-292/moderation-log/figures", "the transparency figures"),
    ):
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await assert_no_axe_violations(page, what)

    await page.context.clear_cookies()
    await sign_in(page, live_server.participant, f"/contributions/{reply}/appeal")
    await expect(page.get_by_role("button", name="Send the appeal")).to_be_visible()
    await assert_no_axe_violations(page, "the appeal form")
