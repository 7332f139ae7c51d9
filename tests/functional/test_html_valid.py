"""Every kind of page the site serves is valid HTML, checked by the Nu HTML checker (vnu.jar).

The pages come from the live server (tests/live.py) so they are exactly what a browser gets,
including pages only some people see and pages showing form errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.live import (
    Checker,
    LiveServer,
    html_checker,
    key_message_path,
    live_server,
    person,
    post_form,
    post_position,
    post_positions,
    post_reply,
)
from tests.support import soup
from tests.vnu import check_html, report

__all__ = ["html_checker", "live_server"]  # fixtures, imported for pytest

CONSULTATION = "/consultations/com-2013-292"


@dataclass(frozen=True)
class Page:
    """How to get a page: who asks, for which path; `form` is POSTed (with the token of
    `path`'s own form) to `action` instead of a plain GET."""

    who: str
    path: str
    status: int = 200
    action: str | None = None
    form: dict[str, str] = field(default_factory=dict)


PAGES: dict[str, Page] = {
    "home": Page("anonymous", "/"),
    "consultation": Page("anonymous", CONSULTATION),
    **{
        f"roundtable-{ref}": Page("anonymous", f"{CONSULTATION}/roundtables/{ref}")
        for ref in ("RT1", "RT2", "RT3", "RT4")
    },
    "key-message-signed-out": Page("anonymous", key_message_path("RT2-KM3")),
    "key-message-signed-in": Page("participant", key_message_path("RT2-KM3")),
    "key-message-second-page": Page("anonymous", key_message_path("RT4-KM1") + "{second_page}"),
    "eu-commitment": Page("participant", key_message_path("EU-C1")),
    "eu-commitment-as-moderator": Page("moderator", key_message_path("EU-C1")),
    # -- endorsements (issue 4) --
    # -- topics (issue 4) --
    # -- anchored comments (issue 4) --
    # -- editing and withdrawing (issue 4) --
    # -- attachments (issue 4) --
    # -- live updates and large threads (issue 4) --
    "sign-in": Page("anonymous", "/sign-in"),
    "sign-in-with-errors": Page("anonymous", "/sign-in", 422, "/sign-in", {"email": "", "password": ""}),
    "sign-up": Page("anonymous", "/sign-up"),
    "sign-up-with-errors": Page(
        "anonymous",
        "/sign-up",
        422,
        "/sign-up",
        {
            "display_name": "",
            "email": "not-an-email",
            "password": "short",
            "organisation_id": "",
            "org_name": "",
            "org_type": "",
            "org_country": "",
        },
    ),
    "not-found": Page("anonymous", "/no/such/page", 404),
    "account": Page("participant", "/account"),
    "account-with-errors": Page(
        "participant", "/account", 422, "/account/email", {"new_email": "not-an-email", "password": ""}
    ),
    "email-confirm": Page("anonymous", "/account/email/confirm?token=made-up"),
    "email-confirm-bad-link": Page(
        "anonymous", "/account/email/confirm?token=made-up", 400, "/account/email/confirm", {"token": "made-up"}
    ),
    "verify": Page("anonymous", "/account/verify?token=made-up"),
    "verify-bad-link": Page("anonymous", "/account/verify?token=made-up", 400, "/account/verify", {"token": "made-up"}),
    "password-reset": Page("anonymous", "/account/password-reset"),
    "password-reset-with-errors": Page("anonymous", "/account/password-reset", 422, "/account/password-reset", {}),
    "password-reset-sent": Page(
        "anonymous", "/account/password-reset", 200, "/account/password-reset", {"email": "nobody@example.org"}
    ),
    "password-reset-confirm": Page("anonymous", "/account/password-reset/confirm?token=made-up"),
    "password-reset-confirm-with-errors": Page(
        "anonymous",
        "/account/password-reset/confirm?token=made-up",
        422,
        "/account/password-reset/confirm",
        {"token": "made-up", "password": "short", "password_confirm": "different"},
    ),
    "password-reset-confirm-bad-link": Page(
        "anonymous",
        "/account/password-reset/confirm?token=made-up",
        400,
        "/account/password-reset/confirm",
        {"token": "made-up", "password": "a long new passphrase", "password_confirm": "a long new passphrase"},
    ),
    "thread": Page("anonymous", "/contributions/{thread}"),
    "reply": Page("participant", "/contributions/{thread}/reply"),
    "reply-with-errors": Page(
        "participant",
        "/contributions/{thread}/reply",
        422,
        "/contributions/{thread}/replies",
        {"body": " ", "submission_key": "a1b2c3d4e5"},
    ),
    "position-with-errors": Page(
        "participant",
        key_message_path("EU-C1"),
        422,
        key_message_path("EU-C1") + "/contributions",
        {"body": "Text without a position.", "submission_key": "f6e5d4c3b2"},
    ),
    "moderate": Page("moderator", "/contributions/{thread}/moderate"),
    "moderate-with-history": Page("moderator", "/contributions/{hidden}/moderate"),
    "export": Page("negotiator", f"{CONSULTATION}/export"),
    "organisation": Page("anonymous", "/organisations/{organisation}"),
    "organisation-as-member": Page("participant", "/organisations/{organisation}"),
    "organisation-verify": Page("moderator", "/organisations/{organisation}/verify"),
    "organisation-verify-with-errors": Page(
        "moderator", "/organisations/{organisation}/verify", 422, "/organisations/{organisation}/verify", {"note": ""}
    ),
    "two-factor-setup": Page("participant", "/account/two-factor"),
    "two-factor-setup-with-errors": Page(
        "participant", "/account/two-factor", 422, "/account/two-factor", {"code": "1"}
    ),
    "two-factor-on": Page("moderator", "/account/two-factor"),
    "privacy": Page("anonymous", "/privacy"),
    "personal-data": Page("participant", "/account/data"),
    "delete-account": Page("participant", "/account/delete"),
    "delete-account-with-errors": Page(
        "participant", "/account/delete", 422, "/account/delete", {"password": "", "contributions": ""}
    ),
    "admin-people": Page("admin", "/admin/people"),
    "admin-people-search": Page("admin", "/admin/people?q=example.org"),
    "admin-person": Page("admin", "/admin/people/{participant_id}"),
    "admin-audit": Page("admin", "/admin/audit"),
    "admin-audit-filtered": Page("admin", "/admin/audit?tag=accounts%3Auser%3Asign_in&email=admin%40example.org"),
}


@pytest.fixture(scope="module")
async def people(live_server: LiveServer) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with (
        person(live_server) as anonymous,
        person(live_server, live_server.participant) as participant,
        person(live_server, live_server.moderator) as moderator,
        person(live_server, live_server.negotiator) as negotiator,
        person(live_server, live_server.admin) as admin,
    ):
        yield {
            "anonymous": anonymous,
            "participant": participant,
            "moderator": moderator,
            "negotiator": negotiator,
            "admin": admin,
        }


@pytest.fixture(scope="module")
async def content(live_server: LiveServer, people: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """Threads, a hidden contribution and a second page of contributions, so that pages show
    all their parts; returns the values the paths in PAGES refer to."""
    participant = people["participant"]
    thread = await post_position(participant, "RT2-KM3", "We support this, with **one** amendment:\n\n- a list")
    await post_reply(participant, thread, "A reply with a [link](https://example.org).")
    await post_position(participant, "EU-C1", "We support this commitment.")
    hidden = await post_position(participant, "EU-C1", "Off-topic text.", position="oppose")
    response = await post_form(
        people["moderator"],
        f"/contributions/{hidden}/moderate",
        f"/contributions/{hidden}/moderate",
        {"action": "hide", "reason": "Off topic."},
    )
    assert response.status_code == 303, response.text
    await post_positions(participant, "RT4-KM1", [f"Position {n}" for n in range(1, 23)])
    more = soup(await participant.get(key_message_path("RT4-KM1"))).select_one("#more a[href]")
    assert more is not None, "RT4-KM1 should have a second page"
    organisation = soup(await participant.get(key_message_path("RT2-KM3"))).select_one(".contribution a.org")
    assert organisation is not None, "the participant speaks for an organisation"
    people_page = soup(await people["admin"].get("/admin/people?q=awa.diop"))
    participant_link = people_page.select_one("a[href^='/admin/people/']")
    assert participant_link is not None, "the admin finds the participant"
    return {
        "participant_id": str(participant_link["href"]).rsplit("/", 1)[-1],
        "thread": str(thread),
        "hidden": str(hidden),
        "second_page": str(more["href"]),
        "organisation": str(organisation["href"]).rsplit("/", 1)[-1],
    }


@pytest.mark.parametrize("name", list(PAGES))
async def test_page_is_valid_html(
    name: str, html_checker: Checker, people: dict[str, httpx.AsyncClient], content: dict[str, str]
) -> None:
    page = PAGES[name]
    client = people[page.who]
    path = page.path.format(**content)
    if page.action is None:
        response = await client.get(path)
    else:
        response = await post_form(client, path, page.action.format(**content), page.form)
    assert response.status_code == page.status, f"{path}: {response.status_code}\n{response.text[:2000]}"
    assert response.headers["content-type"].startswith("text/html")

    errors = await check_html(await html_checker.ready(), response.text)

    assert not errors, report(f"{page.who} {response.request.method} {response.url}", errors)


async def test_checker_reports_errors(html_checker: Checker) -> None:
    """Guards the test above: a checker that never answers with errors would pass everything."""
    html = '<!doctype html><html lang="en"><title>t</title><form hx-post="/x"><p><div></div></form></html>'

    errors = await check_html(await html_checker.ready(), html)

    assert any("hx-post" in error["message"] for error in errors), errors
