"""The campaigns page in a real browser: a moderator queues a recomputation and the status
polls itself until a worker has run it, with no reload; the page has no axe violations."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from app.db import make_engine
from app.discussion.campaigns import CAMPAIGNS_JOB, recompute_campaigns
from app.jobs.worker import work
from tests.browser.helpers import assert_no_axe_violations, sign_in
from tests.live import LiveServer

pytestmark = pytest.mark.browser

CAMPAIGNS = "/consultations/com-2013-292/campaigns"


async def test_the_status_follows_the_job_without_a_reload(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.moderator, CAMPAIGNS)
    await page.get_by_role("button", name="Recompute the campaigns").click()
    status = page.locator("#campaigns-job")
    await expect(status).to_contain_text("waiting for a worker")
    await assert_no_axe_violations(page, "the campaigns page")
    marker = await page.evaluate("() => (window.notReloaded = true)")
    assert marker
    # The live region stays (screen readers announce changes inside a region they know).
    await page.get_by_role("status").filter(has=status).evaluate("region => { region.dataset.sameRegion = 'yes'; }")

    engine = make_engine(live_server.database_url, null_pool=True)
    try:
        # Campaign jobs only: other tests on this live site leave export jobs waiting on purpose.
        assert await work(engine, {CAMPAIGNS_JOB: recompute_campaigns}, once=True) == 1
    finally:
        await engine.dispose()

    await expect(status).to_contain_text("Last computed on", timeout=10_000)
    await expect(page.locator("[role=status][data-same-region=yes]")).to_contain_text("Last computed on")
    assert await page.evaluate("() => window.notReloaded === true")  # htmx swapped the status in place
    await expect(status).not_to_have_attribute("data-hx-trigger", "every 2s")
