"""What browser tests do often: sign in, watch the console, run axe, read the page."""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass, field
from urllib.parse import quote

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import ConsoleMessage, Error, Page

from tests.live import Account

AXE = Axe()
#: Chromium logs every 4xx/5xx response as a console error; forms refused on purpose answer 422.
REFUSED_FORM = "the server responded with a status of 422"
#: Browsers ask for /favicon.ico on their own; test_favicon checks it, the others ignore it.
FAVICON = "/favicon.ico)"


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=lambda: [FAVICON])

    def allow(self, fragment: str) -> None:
        """Expect errors containing `fragment` (e.g. the 422 of a form refused on purpose)."""
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [error for error in self.errors if not any(fragment in error for fragment in self.allowed)]


_LOGS: weakref.WeakKeyDictionary[Page, ConsoleLog] = weakref.WeakKeyDictionary()


def watch_console(page: Page) -> ConsoleLog:
    log = ConsoleLog()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.errors.append(f"{page.url}: {message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Error) -> None:
        log.errors.append(f"{page.url}: uncaught {error.name}: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    _LOGS[page] = log
    return log


def console_log(page: Page) -> ConsoleLog:
    return _LOGS[page]


async def sign_in(page: Page, account: Account, next_path: str = "/") -> None:
    await page.goto(f"/sign-in?next={quote(next_path)}")
    await page.locator("#field-email").fill(account.email)
    await page.locator("#field-password").fill(account.password)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url(lambda url: url.endswith("/sign-in/two-factor") or "/sign-in" not in url)
    if page.url.endswith("/sign-in/two-factor"):
        await _answer_second_factor(page, account)
    await page.wait_for_url(lambda url: "/sign-in" not in url)


async def _answer_second_factor(page: Page, account: Account) -> None:
    """Type a code the person's app shows that was not used yet (see Account.unspent_code)."""
    await page.locator("#field-code").fill(await account.unspent_code())
    async with page.expect_navigation():
        await page.locator("main form button[type=submit]").click()
    assert not page.url.endswith("/sign-in/two-factor"), f"{account.email}: the second factor was refused"


async def assert_no_axe_violations(page: Page, what: str) -> None:
    results = await AXE.run(page)
    assert results.violations_count == 0, f"axe on {what} ({page.url}):\n{results.generate_report()}"


async def tally_total(page: Page) -> int:
    """The 'All stakeholders' total of the tally table; 0 while there is no table."""
    total = page.locator("#tally tfoot td").last
    return int(await total.inner_text()) if await total.count() else 0


async def set_marker(page: Page) -> None:
    """A value that survives htmx swaps but not a page load."""
    await page.evaluate("window.__marker = 1")


async def marker_survived(page: Page) -> bool:
    return bool(await page.evaluate("window.__marker === 1"))


def unique(text: str) -> str:
    """Text no other test writes, to find one's own contribution on a shared page."""
    return f"{text} [{uuid.uuid4().hex[:8]}]"
