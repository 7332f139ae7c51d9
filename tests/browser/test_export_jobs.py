"""A background export in a real browser: the negotiator asks for it, the progress bar follows
the job without a reload (htmx), the file downloads with the hash its manifest gives; without
JavaScript the page reloads itself until the file is ready. No axe violations."""

from __future__ import annotations

import hashlib
import json

import anyio
import pytest
from playwright.async_api import Page, expect

from app.db import make_engine
from app.export.jobs import EXPORT_JOB, run_export
from app.jobs.worker import work
from tests.browser.helpers import assert_no_axe_violations, sign_in
from tests.live import LiveServer

pytestmark = pytest.mark.browser

EXPORT = "/consultations/com-2013-292/export"


async def _run_exports(live_server: LiveServer) -> None:
    engine = make_engine(live_server.database_url, null_pool=True)
    try:
        assert await work(engine, {EXPORT_JOB: run_export}, once=True) >= 1
    finally:
        await engine.dispose()


async def test_the_progress_bar_follows_the_job_and_the_file_matches_its_manifest(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.negotiator, EXPORT)
    await page.get_by_label("CSV: one row per contribution").check()
    await page.get_by_label("Roundtable").select_option("RT2")
    await page.get_by_role("button", name="Make the export").click()
    status = page.locator("#export-job")
    await expect(status).to_contain_text("Waiting for a worker")
    await expect(page.get_by_role("progressbar", name="Waiting for a worker to start it.")).to_be_visible()
    await assert_no_axe_violations(page, "an export's page while it waits")
    assert await page.evaluate("() => (window.notReloaded = true)")
    # Screen readers announce changes inside a live region they know: the region stays, only
    # what is inside it is swapped.
    region = page.get_by_role("status").filter(has=status)
    await region.evaluate("region => { region.dataset.sameRegion = 'yes'; }")

    await _run_exports(live_server)

    await expect(status).to_contain_text("Ready", timeout=10_000)
    assert await page.evaluate("() => window.notReloaded === true")  # htmx swapped the status in place
    await expect(page.locator("[role=status][data-same-region=yes]")).to_contain_text("Ready")
    await assert_no_axe_violations(page, "an export's page when it is ready")
    async with page.expect_download() as file_download:
        await page.get_by_role("button", name="Download the file").click()
    async with page.expect_download() as manifest_download:
        await page.get_by_role("button", name="Download its manifest").click()
    content = await anyio.Path(await (await file_download.value).path()).read_bytes()
    manifest = json.loads(await anyio.Path(await (await manifest_download.value).path()).read_bytes())
    assert manifest["files"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert (await file_download.value).suggested_filename == manifest["files"][0]["name"]


async def test_without_javascript_the_page_reloads_until_the_file_is_ready(
    page_nojs: Page, live_server: LiveServer
) -> None:
    await sign_in(page_nojs, live_server.negotiator, EXPORT)
    await page_nojs.get_by_label("JSON: key messages").check()
    await page_nojs.get_by_role("button", name="Make the export").click()
    await expect(page_nojs.locator("#export-job")).to_contain_text("Waiting for a worker")
    await _run_exports(live_server)
    await expect(page_nojs.locator("#export-job")).to_contain_text("Ready", timeout=15_000)
