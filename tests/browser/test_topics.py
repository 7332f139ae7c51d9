"""Topics in a real browser: ticking topics in the folded list, following a tag to its topic
page, "Show more" there swapped in by htmx, and the moderator's retag form, all checked by axe."""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, marker_survived, set_marker, sign_in, unique
from tests.live import LiveServer, contribution_id_from, guard_fields, key_message_path, person

pytestmark = pytest.mark.browser

TOPICS = "/consultations/com-2013-292/topics"


async def post_tagged(client: httpx.AsyncClient, ref: str, bodies: list[str], topic: str) -> list[int]:
    """Positions tagged with `topic`, posted as the key message page's form would."""
    fields = guard_fields(await client.get(key_message_path(ref)))
    ids = []
    for body in bodies:
        data = {**fields, "position": "neutral", "body": body, "submission_key": secrets.token_hex(12)}
        response = await client.post(f"{key_message_path(ref)}/contributions", data={**data, "topics": topic})
        ids.append(contribution_id_from(response))
    return ids


async def test_an_author_ticks_topics_and_follows_a_tag(page: Page, live_server: LiveServer) -> None:
    text = unique("Money sent home by children abroad.")
    await sign_in(page, live_server.participant, key_message_path("RT3-KM2"))
    form = page.locator("#contribution-form")
    picker = form.get_by_role("group", name="Topics (optional)")
    await expect(picker.get_by_label("Children", exact=True)).to_be_hidden()

    await picker.get_by_text("Topics of the communication", exact=True).click()
    await picker.get_by_label("Remittances", exact=True).check()
    await picker.get_by_label("Children", exact=True).check()
    await form.get_by_label("Support", exact=True).check()
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()
    await expect(form.locator(".notice")).to_contain_text("Your contribution is published.")

    published = page.locator("#just-published li.contribution", has_text=text)
    await expect(published.locator(".topics a")).to_have_text(["Remittances", "Children"])
    await published.get_by_role("link", name="Children").click()
    await page.wait_for_url(f"**{TOPICS}/children")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Topic: Children")
    await expect(page.locator(".topic-entry", has_text=text)).to_be_visible()
    await assert_no_axe_violations(page, "a topic page")


async def test_show_more_appends_older_contributions_on_a_topic_page(page: Page, live_server: LiveServer) -> None:
    # RT1-KM1: no other browser test writes there; 22 positions on RT4-KM3 changed what the
    # quoting tests, sharing the live site, found on its page.
    async with person(live_server, live_server.participant) as participant:
        ids = await post_tagged(participant, "RT1-KM1", [f"Private sector {n:02}" for n in range(22)], "private-sector")
    await page.goto(f"{TOPICS}/private-sector")
    await set_marker(page)
    entries = page.locator(".topic-entry")
    await expect(entries).to_have_count(20)

    await page.get_by_role("link", name="Show more contributions").click()

    await expect(entries).to_have_count(22)
    assert await entries.last.locator(".contribution").get_attribute("id") == f"c{ids[0]}", "oldest last"
    await expect(page.get_by_role("link", name="Show more contributions")).to_have_count(0)
    assert await marker_survived(page), "the page was reloaded instead of swapped"


async def test_the_retag_form_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    async with person(live_server, live_server.participant) as participant:
        [contribution] = await post_tagged(participant, "RT4-KM4", ["Tagged for the moderator."], "health")
    await sign_in(page, live_server.moderator, f"/contributions/{contribution}/moderate")
    form = page.locator("form[action$='/topics']")
    await expect(form.get_by_label("Health", exact=True)).to_be_checked()

    await form.get_by_label("Education", exact=True).check()
    await form.get_by_label("Reason for the correction").fill("It is about training nurses.")
    await form.get_by_role("button", name="Save the topics").click()

    await expect(page.get_by_role("status")).to_contain_text("The topics are corrected.")
    await expect(page.locator(".history")).to_contain_text("after: Health, Education")
    await assert_no_axe_violations(page, "the moderation page with the retag form")
