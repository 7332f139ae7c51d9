"""The negotiators' workspace in a real browser: axe finds no violations on the charts and
tables, and the filters swap the results in place with htmx (the URL follows)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import assert_no_axe_violations, sign_in
from tests.live import LiveServer, person, post_position

pytestmark = pytest.mark.browser

# RT3-KM4: no other browser test writes there (test_htmx needs RT3-KM1 empty, and a
# worker's browser tests share one live site).
REF = "RT3-KM4"
WORKSPACE = "/consultations/com-2013-292/consolidation"


async def test_the_workspace_has_no_axe_violations_and_filters_in_place(page: Page, live_server: LiveServer) -> None:
    async with person(live_server, live_server.participant) as participant:
        await post_position(participant, REF, "We oppose this key message as written (workspace check).", "oppose")
    await sign_in(page, live_server.negotiator, f"{WORKSPACE}?roundtable=RT3")
    article = page.locator("article", has=page.get_by_role("heading", name=REF, exact=True))
    await expect(article.get_by_role("img")).to_have_count(1)
    await expect(article.locator("table caption")).to_contain_text(f"Positions on {REF}")
    await assert_no_axe_violations(page, "the consolidation workspace")

    await page.get_by_label("Matrix rows").select_option("region")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile(r"consolidation\?roundtable=RT3&.*view=region$"))
    await expect(article.locator("table thead th").first).to_have_text("Region of registration (UN M49)")

    await page.goto(f"/consultations/com-2013-292/consolidation/{REF}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Consolidation of {REF}")
    await assert_no_axe_violations(page, "a key message's consolidation")
