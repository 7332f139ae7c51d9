"""Every page type reflows at 320 CSS px (WCAG 1.4.10), signed out and signed in as each role:
the page never scrolls sideways (wide tables scroll inside their own labelled region), and
every control in the header stays on screen and reachable from the keyboard. At 1280 px the
same pages neither overflow nor squeeze their tables into scrolling.

The pages come from the route table: `test_every_page_route_is_visited` fails when a route
that serves a page is neither visited here nor set aside with its reason."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page
from starlette.routing import Route

from tests.browser.helpers import watch_console
from tests.live import LiveServer, key_message_path, person, post_form, post_position
from tests.support import soup

pytestmark = pytest.mark.browser

CONSULTATION = "/consultations/com-2013-292"
KEY_MESSAGE = key_message_path("RT2-KM3")
ROLES = ("anonymous", "participant", "moderator", "negotiator", "admin")
#: A word no line can hold at 320 px: people paste addresses like this.
LONG_URL = "https://example.org/" + "verylongpathsegment" * 8


@dataclass(frozen=True)
class Visit:
    route: str
    who: str
    path: str
    status: int = 200


VISITS = [
    Visit("home", "anonymous", "/"),
    Visit("consultation", "anonymous", CONSULTATION),
    Visit("roundtable", "anonymous", f"{CONSULTATION}/roundtables/RT2"),
    *(Visit("key_message", who, KEY_MESSAGE) for who in ROLES),
    Visit("amendments", "anonymous", KEY_MESSAGE + "/amendments"),
    Visit("passage", "anonymous", KEY_MESSAGE + "/passages/0-5"),
    Visit("topics", "anonymous", f"{CONSULTATION}/topics"),
    Visit("topic", "anonymous", f"{CONSULTATION}/topics/remittances"),
    Visit("thread", "anonymous", "/contributions/{thread}"),
    Visit("contribution_history", "anonymous", "/contributions/{thread}/history"),
    Visit("reply_form", "participant", "/contributions/{thread}/reply"),
    Visit("endorse_form", "participant", "/contributions/{amendment}/endorse"),
    Visit("report", "participant", "/contributions/{amendment}/report"),
    Visit("edit_contribution", "participant", "/contributions/{thread}/edit"),
    Visit("withdraw_contribution", "participant", "/contributions/{thread}/withdraw"),
    Visit("my_contributions", "participant", "/account/contributions"),
    Visit("moderation_log", "anonymous", f"{CONSULTATION}/moderation-log"),
    Visit("moderation_figures", "anonymous", f"{CONSULTATION}/moderation-log/figures"),
    Visit("moderate", "moderator", "/contributions/{thread}/moderate"),
    Visit("moderation_queue", "moderator", "/moderation"),
    Visit("highlight", "moderator", "/contributions/{thread}/highlight"),
    Visit("edit_summary", "moderator", "/contributions/{thread}/summary"),
    Visit("summary_history", "anonymous", "/contributions/{thread}/summary/history"),
    Visit("merge_thread", "moderator", "/contributions/{thread}/merge"),
    Visit("campaigns", "moderator", f"{CONSULTATION}/campaigns"),
    Visit("campaigns_status", "moderator", f"{CONSULTATION}/campaigns/status"),
    Visit("export", "negotiator", f"{CONSULTATION}/export"),
    Visit("export_job", "negotiator", "{export_job}"),
    Visit("consolidation_index", "negotiator", "/consolidation"),
    Visit("consolidation", "negotiator", f"{CONSULTATION}/consolidation"),
    Visit("consolidation_key_message", "negotiator", f"{CONSULTATION}/consolidation/RT2-KM3?view=origin"),
    Visit("consolidation_contributions", "negotiator", f"{CONSULTATION}/consolidation/RT2-KM3/contributions"),
    Visit("consolidation_wording", "negotiator", f"{CONSULTATION}/consolidation/RT2-KM3/wording"),
    Visit("organisation", "anonymous", "/organisations/{organisation}"),
    Visit("organisation_edit", "participant", "/organisations/{organisation}/edit"),
    Visit("organisation_members", "participant", "/organisations/{organisation}/members"),
    Visit("organisation_verify", "moderator", "/organisations/{organisation}/verify"),
    Visit("organisations_review", "moderator", "/organisations/review"),
    Visit("sign_in", "anonymous", "/sign-in"),
    Visit("sign_up", "anonymous", "/sign-up"),
    Visit("sign_up_check_mail", "anonymous", "/sign-up/check-your-mail"),
    Visit("password_reset", "anonymous", "/account/password-reset"),
    Visit("password_reset_confirm", "anonymous", "/account/password-reset/confirm?token=made-up"),
    Visit("verify_email", "anonymous", "/account/verify?token=made-up"),
    Visit("confirm_email", "anonymous", "/account/email/confirm?token=made-up"),
    Visit("choose_language", "anonymous", "/language"),
    Visit("account", "participant", "/account"),
    Visit("complete_profile", "participant", "/complete-profile"),
    Visit("two_factor_setup", "participant", "/account/two-factor"),
    Visit("two_factor_setup", "moderator", "/account/two-factor"),
    Visit("personal_data", "participant", "/account/data"),
    Visit("delete_account", "participant", "/account/delete"),
    Visit("privacy_notice", "anonymous", "/privacy"),
    Visit("accessibility_statement", "anonymous", "/accessibility"),
    Visit("organisations", "anonymous", "/organisations?q=diaspora"),
    Visit("admin_people", "admin", "/admin/people"),
    Visit("admin_person", "admin", "/admin/people/{participant_id}"),
    Visit("admin_audit", "admin", "/admin/audit"),
    Visit("admin_consultations", "admin", "/admin/consultations"),
    Visit("not found", "anonymous", "/no/such/page", 404),
]

#: Routes that serve no page of their own, or one this module cannot reach; why for each.
NOT_VISITED = {
    "attachment": "a position paper (PDF), not a page",
    "consultation_feed": "an Atom feed",
    "key_message_feed": "an Atom feed",
    "topic_feed": "an Atom feed",
    "export_schema": "JSON",
    "live_news": "an htmx fragment inside the key message page",
    "oidc_login": "a redirect to an identity provider (none configured here)",
    "oidc_callback": "the identity provider's answer",
    "two_factor_sign_in": "only during a sign-in; test_accessibility signs in through it",
    "appeal": "only its author, from a mail; the form is the report page's layout",
    "held_appeal": "only its author, from a mail; the form is the report page's layout",
    "campaign": "needs the background worker; the campaigns page is visited",
    "what_we_heard": "only once a consultation is closed; its table is wrapped like the others",
    "organisation_invitation": "needs a mailed token",
    "healthz": "plain text for load balancers",
    "readyz": "plain text for load balancers",
    "metrics": "plain text for a metrics collector",
}


def test_every_page_route_is_visited(app) -> None:  # type: ignore[no-untyped-def]
    page_routes = {route.name for route in app.routes if isinstance(route, Route) and "GET" in (route.methods or set())}

    assert page_routes == {visit.route for visit in VISITS if " " not in visit.route} | set(NOT_VISITED)


@pytest.fixture(scope="module")
async def content(live_server: LiveServer) -> dict[str, str]:
    """A position with a long address in it, an amendment (a redline), a summary of the thread,
    and an export job, so that pages show their wide parts."""
    async with (
        person(live_server, live_server.participant) as participant,
        person(live_server, live_server.moderator) as moderator,
        person(live_server, live_server.negotiator) as negotiator,
        person(live_server, live_server.admin) as admin,
    ):
        thread = await post_position(participant, "RT2-KM3", f"We support this; see {LONG_URL} for our reasons.")
        wording = {"position": "support_with_amendments", "amendment_text": "Alle lidstaten moeten een beleid hebben."}
        response = await post_form(
            moderator,
            KEY_MESSAGE,
            f"{KEY_MESSAGE}/contributions",
            {**wording, "body": "Why.", "submission_key": _key()},
        )
        assert response.status_code == 303, response.text
        amendment = response.headers["location"].rpartition("#c")[2]
        summary = f"/contributions/{thread}/summary"
        response = await post_form(moderator, summary, summary, {"body": "A summary.", "version": "0"})
        assert response.status_code == 303, response.text
        export = f"{CONSULTATION}/export"
        response = await post_form(
            negotiator, export, f"{CONSULTATION}/exports", {"format": "csv", "roundtable": "RT2"}
        )
        assert response.status_code == 303, response.text
        person_link = soup(await admin.get("/admin/people?q=awa.diop")).select_one("a[href^='/admin/people/']")
        organisation_link = soup(await participant.get("/account")).select_one("main a[href^='/organisations/']")
        assert person_link is not None and organisation_link is not None
        return {
            "thread": str(thread),
            "amendment": amendment,
            "export_job": response.headers["location"],
            "participant_id": str(person_link["href"]).rsplit("/", 1)[-1],
            "organisation": str(organisation_link["href"]).rsplit("/", 1)[-1],
        }


def _key() -> str:
    return secrets.token_hex(12)


@pytest.fixture(scope="module")
async def pages(browser: Browser, live_server: LiveServer) -> AsyncIterator[dict[str, Page]]:
    """A browser per role, signed in once (the site's own cookies, from a sign-in over HTTP)."""
    opened: dict[str, Page] = {}
    contexts, logs = [], []
    for who in ROLES:
        context = await browser.new_context(base_url=live_server.base_url, locale="en-GB")
        contexts.append(context)
        if who != "anonymous":
            async with person(live_server, getattr(live_server, who)) as client:
                cookies = [
                    {"name": name, "value": value, "url": live_server.base_url}
                    for name, value in client.cookies.items()
                ]
            await context.add_cookies(cookies)  # type: ignore[arg-type]
        opened[who] = await context.new_page()
        logs.append(watch_console(opened[who]))
        logs[-1].allow("the server responded with a status of 404")  # the page not found, on purpose
    yield opened
    for context in contexts:
        await context.close()
    unexpected = [error for log in logs for error in log.unexpected()]
    assert not unexpected, f"console errors in the browser: {unexpected}"


#: What overflows the viewport sideways, and the header's controls that are off screen,
#: hidden or out of the Tab order.
MEASURE = """() => {
  const width = window.innerWidth;
  const outside = r => r.left < -0.5 || r.right > width + 0.5;
  const controls = [...document.querySelectorAll('.site-header :is(a, button, select, input:not([type=hidden]))')];
  const unreachable = controls.filter(el => {
    const r = el.getBoundingClientRect();
    const hidden = !el.checkVisibility({visibilityProperty: true}) || r.width === 0;
    return hidden || outside(r) || el.tabIndex < 0 || el.disabled;
  }).map(el => el.outerHTML.slice(0, 80));
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => outside(el.getBoundingClientRect()))
    .filter(el => !el.closest('.table-region, .skip-link, .form-trap, .visually-hidden'))
    .map(el => `${el.tagName}.${el.className}`).slice(0, 5);
  const regions = [...document.querySelectorAll('.table-region')];
  const squeezed = regions.filter(el => el.scrollWidth > el.clientWidth + 1).length;
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, width, controls: controls.length, unreachable, wide, squeezed};
}"""


async def measure(page: Page, visit: Visit, content: dict[str, str], width: int, lang: str = "en") -> dict:  # type: ignore[type-arg]
    await page.context.add_cookies([{"name": "rt_lang", "value": lang, "domain": "127.0.0.1", "path": "/"}])
    await page.set_viewport_size({"width": width, "height": 640 if width == 320 else 900})
    response = await page.goto(visit.path.format(**content))
    assert response is not None and response.status == visit.status, f"{visit.path}: {response and response.status}"
    return await page.evaluate(MEASURE)  # type: ignore[no-any-return]


@pytest.mark.parametrize("lang", ["en", "ar"])  # left to right, and right to left
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: f"{v.route}-{v.who}")
async def test_page_reflows_at_320_px(visit: Visit, lang: str, pages: dict[str, Page], content: dict[str, str]) -> None:
    found = await measure(pages[visit.who], visit, content, 320, lang)

    assert found["scrollWidth"] <= found["width"], f"{pages[visit.who].url} scrolls sideways at 320 px: {found['wide']}"
    assert found["controls"] >= 3, "the header has the home link, the language switch and sign-in or account links"
    assert not found["unreachable"], f"header controls off screen or out of reach at 320 px: {found['unreachable']}"


@pytest.mark.parametrize("visit", VISITS, ids=lambda v: f"{v.route}-{v.who}")
async def test_page_fits_at_1280_px(visit: Visit, pages: dict[str, Page], content: dict[str, str]) -> None:
    found = await measure(pages[visit.who], visit, content, 1280)

    url = pages[visit.who].url
    assert found["scrollWidth"] <= found["width"], f"{url} scrolls sideways at 1280 px: {found['wide']}"
    assert not found["unreachable"], found["unreachable"]
    assert found["squeezed"] == 0, f"{url}: a table scrolls in its region at 1280 px, where it should fit"


async def test_a_wide_table_scrolls_in_its_labelled_region_not_the_page(page: Page, content: dict[str, str]) -> None:
    """The tally on a key message: too wide for 320 px, so its region scrolls, and the region is
    named by the table's caption and takes keyboard focus (to scroll it with the arrow keys)."""
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto(KEY_MESSAGE)
    region = page.get_by_role("region", name="Positions on RT2-KM3 by stakeholder type")

    assert await region.evaluate("el => el.scrollWidth > el.clientWidth"), "the tally should be wider than 320 px"
    await region.focus()
    await page.keyboard.press("ArrowRight")
    # Chromium animates keyboard scrolling: wait for the region to move.
    await page.wait_for_function("el => el.scrollLeft > 0", arg=await region.element_handle())
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320


async def test_a_long_address_in_a_contribution_wraps(page: Page, content: dict[str, str]) -> None:
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto(f"/contributions/{content['thread']}")
    body = page.locator(".contribution .body", has_text="verylongpathsegment").first

    box = await body.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 320
    assert await body.evaluate("el => el.scrollWidth <= el.clientWidth"), "the address wraps inside its paragraph"
