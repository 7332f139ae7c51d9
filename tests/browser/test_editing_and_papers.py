"""In a real browser: a position paper travels with an htmx post (multipart), and an author
edits a contribution and reads its history, on pages axe finds accessible (the same journey
without JavaScript is tests/functional/test_editing.py: it is plain links and form posts)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, marker_survived, set_marker, sign_in, unique
from tests.live import LiveServer, key_message_path, person, post_position
from tests.pdf_samples import tiny_pdf

pytestmark = pytest.mark.browser

# EU-A2: no other browser test writes there (test_htmx needs RT3-KM1 empty).
KEY_MESSAGE = key_message_path("EU-A2")


async def test_a_position_paper_is_published_with_htmx(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await set_marker(page)
    form = page.locator("#contribution-form")
    text = unique("Our position paper explains why.")
    await form.get_by_label("Support", exact=True).check()
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_label("Position paper (optional)").set_input_files(
        {"name": "Notre position.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
    )

    await form.get_by_role("button", name="Publish my position").click()

    mine = page.locator("#just-published li.contribution", has_text=text)
    await expect(mine).to_have_count(1)
    link = mine.locator("ul.attachments a")
    await expect(link).to_have_text("Notre position.pdf")
    assert await marker_survived(page), "the page was reloaded instead of swapped"
    download = await page.request.get(str(await link.get_attribute("href")))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_an_author_edits_and_reads_the_history_on_accessible_pages(page: Page, live_server: LiveServer) -> None:
    original = unique("We support the text on diaspora.")
    async with person(live_server, live_server.participant) as participant:
        contribution_id = await post_position(participant, "EU-A2", original)
    await sign_in(page, live_server.participant, f"/contributions/{contribution_id}")

    box = page.get_by_role("complementary", name="Your contribution")
    await box.get_by_role("link", name="Edit (until").click()
    await assert_no_axe_violations(page, "the edit form")
    await page.get_by_label("Your contribution").fill(original.replace("support", "strongly support"))
    await page.get_by_role("button", name="Save changes").click()

    await expect(page.locator(".flash")).to_contain_text("Your changes are saved.")
    item = page.locator(f"#c{contribution_id}")
    await expect(item).to_contain_text("strongly support")
    await item.get_by_role("link", name="edited").click()
    await expect(page.locator("li.version")).to_have_count(2)
    await expect(page.locator("li.version").first.locator("ins")).to_have_text("inserted: strongly ")
    await assert_no_axe_violations(page, "the history of a contribution")
