"""Curation by negotiators in a real browser (issue 12): with htmx a review state changes in
place, a refused one keeps the text with the error beside the field; without JavaScript the
same form posts and comes back to the item; axe finds nothing on the negotiators' page or on
the public "what we heard" page once the consultation is closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select, update

from app.consultation.models import Consultation
from app.db import make_engine, make_sessionmaker, utcnow
from tests.browser.helpers import REFUSED_FORM, assert_no_axe_violations, console_log, sign_in, unique
from tests.live import LiveServer, person, post_position

pytestmark = pytest.mark.browser

SLUG = "com-2013-292"
REF = "RT2-KM4"
CONTRIBUTIONS = f"/consultations/{SLUG}/consolidation/{REF}/contributions"


async def a_position(live_server: LiveServer) -> int:
    async with person(live_server, live_server.participant) as author:
        return await post_position(author, REF, unique("A position for the negotiators to review."))


async def test_a_review_state_changes_in_place(page: Page, live_server: LiveServer) -> None:
    contribution = await a_position(live_server)
    console_log(page).allow(REFUSED_FORM)
    await sign_in(page, live_server.negotiator, CONTRIBUTIONS)
    while not await page.locator(f"#c{contribution}").count():  # on a later page when others wrote first
        await page.get_by_role("link", name="Next contributions").click()
    item = page.locator(f"#c{contribution}")
    await item.get_by_role("radio", name="Not reflected").check()
    await item.get_by_role("button", name="Save the review state").click()
    await expect(item.locator(".field-error")).to_contain_text("Say why")
    await expect(item.locator(".field-error")).to_be_focused()  # not the top of the page
    await expect(item.get_by_role("radio", name="Not reflected")).to_be_checked()
    await assert_no_axe_violations(page, "the curation page with a refused state")
    await item.get_by_role("textbox", name="Reason").fill("Outside the mandate of the dialogue.")
    await item.get_by_role("button", name="Save the review state").click()
    await expect(item.locator(".review-state")).to_have_text("Not reflected")
    await expect(item.locator(".curation-item-title")).to_be_focused()  # it names the new state
    await expect(item.locator(".field-error")).to_have_count(0)
    await expect(item.locator(".review-history")).to_contain_text("Outside the mandate")
    await assert_no_axe_violations(page, "the curation page")


async def test_without_javascript_the_form_comes_back_to_the_item(page_nojs: Page, live_server: LiveServer) -> None:
    contribution = await a_position(live_server)
    await sign_in(page_nojs, live_server.negotiator, f"{CONTRIBUTIONS}?state=new")
    while not await page_nojs.locator(f"#c{contribution}").count():
        await page_nojs.get_by_role("link", name="Next contributions").click()
    item = page_nojs.locator(f"#c{contribution}")
    await item.get_by_role("radio", name="Reflected", exact=True).check()
    await item.get_by_role("button", name="Save the review state").click()
    await page_nojs.wait_for_url(f"**#c{contribution}")
    assert "state=new" in page_nojs.url
    await expect(page_nojs.locator(".flash, [role=status]").first).to_contain_text("Review state saved")


@asynccontextmanager
async def closed_with_outcome(live_server: LiveServer) -> AsyncIterator[None]:
    """The live site's consultation closed and publishing its outcome, for one test only."""
    engine = make_engine(live_server.database_url, null_pool=True)
    sessions = make_sessionmaker(engine)

    async def set_to(closes_at: object, publishes: bool) -> None:
        async with sessions() as db:
            await db.execute(
                update(Consultation)
                .where(Consultation.slug == SLUG)
                .values(closes_at=closes_at, publishes_outcome=publishes, updated_at=utcnow())
            )
            await db.commit()

    async with sessions() as db:
        before = (
            await db.execute(
                select(Consultation.closes_at, Consultation.publishes_outcome).where(Consultation.slug == SLUG)
            )
        ).one()
    try:
        await set_to(utcnow() - timedelta(seconds=1), True)
        yield
    finally:
        await set_to(*before)
        await engine.dispose()


async def test_what_we_heard_has_no_axe_violations(page: Page, live_server: LiveServer) -> None:
    await a_position(live_server)
    async with closed_with_outcome(live_server):
        await page.goto(f"/consultations/{SLUG}/messages/{REF}")
        await page.get_by_role("link", name="What we heard").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text("What we heard")
        await expect(page.locator("table.heard")).to_be_visible()
        await assert_no_axe_violations(page, "the what we heard page")
