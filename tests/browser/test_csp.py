"""The Content-Security-Policy holds: every browser test fails on a console error, and this
shows that a violation does reach the console (so those checks are not vacuous)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.helpers import console_log

pytestmark = pytest.mark.browser

VIOLATION = "Content Security Policy"


async def test_a_policy_violation_is_logged_as_a_console_error(page: Page) -> None:
    await page.goto("/")

    log = console_log(page)
    log.allow(VIOLATION)

    async with page.expect_console_message(lambda message: VIOLATION in message.text):
        await page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")

    assert any(VIOLATION in error for error in log.errors), log.errors


async def test_htmx_runs_under_the_policy(page: Page) -> None:
    """htmx must load from /static and be configured not to inject its indicator styles."""
    await page.goto("/")

    assert await page.evaluate("typeof htmx === 'object' && htmx.config.includeIndicatorStyles === false")
    assert await page.evaluate("document.querySelectorAll('style').length") == 0
