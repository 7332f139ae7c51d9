"""Headless Chromium (Debian's, driven by Playwright's async API) against the live server.

Every page opened here records its console errors; a test fails at teardown if any appeared
that it did not expect, because that is how a Content-Security-Policy violation shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser.helpers import ConsoleLog, watch_console
from tests.live import LiveServer, live_server, person, post_positions

__all__ = ["live_server"]  # a fixture, imported for pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Fails (never skips) without it, locally and in CI alike."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def _open_page(browser: Browser, server: LiveServer, *, javascript: bool) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=server.base_url,
        java_script_enabled=javascript,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    page = await context.new_page()
    log = watch_console(page)
    try:
        yield page
    finally:
        await context.close()
    _fail_on_unexpected(log)


def _fail_on_unexpected(log: ConsoleLog) -> None:
    if unexpected := log.unexpected():
        pytest.fail(
            "console errors in the browser (a CSP violation shows up here):\n"
            + "\n".join(f"  {message}" for message in unexpected)
        )


@pytest.fixture
async def page(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    """A new browser profile with JavaScript on."""
    async for opened in _open_page(browser, live_server, javascript=True):
        yield opened


@pytest.fixture
async def page_nojs(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    """A new browser profile with JavaScript off: every journey must still work."""
    async for opened in _open_page(browser, live_server, javascript=False):
        yield opened


@pytest.fixture(scope="session")
async def paged_discussion(live_server: LiveServer) -> list[int]:
    """RT1-KM2 with 45 positions ("Position 01" … "Position 45"): three pages of 20."""
    async with person(live_server, live_server.participant) as participant:
        return await post_positions(participant, "RT1-KM2", [f"Position {n:02}" for n in range(1, 46)])


@pytest.fixture(scope="session")
async def crowded_discussion(live_server: LiveServer) -> list[int]:
    """RT1-KM3 with one position more than fits on the first page."""
    async with person(live_server, live_server.participant) as participant:
        return await post_positions(participant, "RT1-KM3", [f"Earlier position {n:02}" for n in range(1, 22)])
