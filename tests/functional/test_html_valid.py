"""Every kind of page the site serves is valid HTML, checked by the Nu HTML checker (vnu.jar).

The pages come from the live server (tests/live.py) so they are exactly what a browser gets,
including pages only some people see and pages showing form errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from app.cli import job_handlers
from app.db import make_engine
from app.i18n import SUPPORTED_LOCALES
from app.jobs.worker import work
from app.web.language import LANGUAGE_COOKIE
from tests.live import (
    Checker,
    LiveServer,
    guard_fields,
    html_checker,
    key_message_path,
    live_server,
    person,
    post_form,
    post_position,
    post_positions,
    post_reply,
)
from tests.pdf_samples import tiny_pdf
from tests.support import soup
from tests.vnu import check_html, report

__all__ = ["html_checker", "live_server"]  # fixtures, imported for pytest

CONSULTATION = "/consultations/com-2013-292"
CAMPAIGN_TEXT = (
    "We ask the negotiators to recognise the qualifications that migrant workers earned abroad, "
    "within three months and free of charge, so that nurses, teachers and engineers can work in their trade."
)


@dataclass(frozen=True)
class Page:
    """How to get a page: who asks, for which path; `form` is POSTed (with the token of
    `path`'s own form) to `action` instead of a plain GET."""

    who: str
    path: str
    status: int = 200
    action: str | None = None
    form: dict[str, str] = field(default_factory=dict)


#: Quoted in overlapping passages; no browser test on the same live site reads its text, whose
#: highlights would move a keyboard user's caret there (test_quote_selection uses RT4-KM3).
QUOTED = "EU-A4"

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
    "key-message-with-a-position-just-published": Page(
        "participant", key_message_path("RT4-KM1") + "?published={past_the_first_page}"
    ),
    "eu-commitment": Page("participant", key_message_path("EU-C1")),
    "eu-commitment-as-moderator": Page("moderator", key_message_path("EU-C1")),
    # -- endorsements (issue 4) --
    "endorse": Page("participant", "/contributions/{amendment}/endorse"),
    "endorse-with-errors": Page(
        "participant", "/contributions/{amendment}/endorse", 422, "/contributions/{amendment}/endorse", {}
    ),
    "endorse-already-endorsed": Page("participant", "/contributions/{endorsed}/endorse"),
    "amendments": Page("anonymous", key_message_path("RT2-KM3") + "/amendments"),
    "amendments-on-a-topic": Page("anonymous", key_message_path("RT2-KM3") + "/amendments?topic=children"),
    # -- topics (issue 4) --
    "topics": Page("anonymous", f"{CONSULTATION}/topics"),
    "topic": Page("anonymous", f"{CONSULTATION}/topics/remittances"),
    "topic-as-moderator": Page("moderator", f"{CONSULTATION}/topics/remittances"),
    "position-with-topic-errors": Page(
        "participant",
        key_message_path("EU-C1"),
        422,
        key_message_path("EU-C1") + "/contributions",
        {"body": "Tagged wrongly.", "position": "support", "submission_key": "a9b8c7d6e5", "topics": "astrology"},
    ),
    "retag-with-errors": Page(
        "moderator",
        "/contributions/{thread}/moderate",
        422,
        "/contributions/{thread}/topics",
        {"topics": "astrology", "reason": "Not a topic."},
    ),
    # -- anchored comments (issue 4) --
    "key-message-with-quotes": Page("participant", key_message_path(QUOTED)),
    "passage": Page("anonymous", "{passage}"),
    "passage-on-a-topic": Page("anonymous", "{passage}?topic=health"),
    "position-with-quote-error": Page(
        "participant",
        key_message_path("RT4-KM3"),
        422,
        key_message_path("RT4-KM3") + "/contributions",
        {"position": "oppose", "body": "Why.", "quote_text": "Not in the text", "submission_key": "html-quote-error"},
    ),
    # -- editing and withdrawing (issue 4) --
    "edit": Page("participant", "/contributions/{thread}/edit"),
    "edit-with-errors": Page(
        "participant",
        "/contributions/{thread}/edit",
        422,
        "/contributions/{thread}/edit",
        {"body": " ", "position": "support", "language": "en", "version": "original"},
    ),
    "history": Page("anonymous", "/contributions/{edited}/history"),
    "withdraw": Page("participant", "/contributions/{thread}/withdraw"),
    "thread-as-its-author": Page("participant", "/contributions/{edited}"),
    "my-contributions": Page("participant", "/account/contributions"),
    "my-contributions-on-a-topic": Page("participant", "/account/contributions?topic=remittances"),
    # -- attachments (issue 4) --
    "key-message-with-a-position-paper": Page("anonymous", key_message_path("RT2-KM1")),
    # -- live updates and large threads (issue 4) --
    "key-message-most-endorsed": Page("anonymous", key_message_path("RT2-KM3") + "?sort=endorsed"),
    "key-message-on-a-topic": Page("participant", key_message_path("RT2-KM3") + "?sort=newest&topic=remittances"),
    "thread-of-a-deep-reply": Page("anonymous", "/contributions/{deep}"),
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
    "sign-up-refused-as-automated": Page(  # the honeypot filled: the one line above the form
        "anonymous",
        "/sign-up",
        422,
        "/sign-up",
        {
            "display_name": "A bot",
            "email": "bot@example.org",
            "organisation_id": "none",
            "homepage": "https://x.example",
        },
    ),
    "sign-up-check-your-mail": Page("anonymous", "/sign-up/check-your-mail"),
    # -- finding one's organisation, countries of origin (issue 13) --
    "sign-up-searching": Page("anonymous", "/sign-up?q=senegalese"),
    "sign-up-searched-without-javascript": Page(
        "anonymous",
        "/sign-up",
        200,
        "/sign-up",
        {"display_name": "Awa", "q": "diaspora forum", "find_organisation": "1"},
    ),
    "organisations-found": Page("anonymous", "/organisations?q=forum"),
    "organisations-none-found": Page("anonymous", "/organisations?q=%25%00"),
    "organisation-edit": Page("participant", "/organisations/{organisation}/edit"),
    "organisation-edit-adding-an-origin": Page(
        "participant",
        "/organisations/{organisation}/edit",
        422,
        "/organisations/{organisation}/edit",
        {
            "name": "Senegalese Diaspora Forum",
            "type": "diaspora",
            "country": "FR",
            "ecosoc_status": "none",
            "origin_countries": "SN",
            "origin_add": "Atlantis",
            "action": "add_origin",
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
    # The public moderation log (the hide and the retag of `content`) and its figures.
    "moderation-log": Page("anonymous", f"{CONSULTATION}/moderation-log"),
    "moderation-figures": Page("participant", f"{CONSULTATION}/moderation-log/figures"),
    # -- highlights and summaries (issue 11, curating) --
    "key-message-with-highlights-as-moderator": Page("moderator", key_message_path("RT2-KM3")),
    "thread-with-summary-as-moderator": Page("moderator", "/contributions/{thread}"),
    "highlight": Page("moderator", "/contributions/{edited}/highlight"),
    "highlight-with-errors": Page(
        "moderator", "/contributions/{edited}/highlight", 422, "/contributions/{edited}/highlight", {"reason": ""}
    ),
    "highlight-pinned": Page("moderator", "/contributions/{pinned}/highlight"),
    "unpin-with-errors": Page(
        "moderator", "/contributions/{pinned}/highlight", 422, "/contributions/{pinned}/highlight/unpin", {"reason": ""}
    ),
    "summary-form": Page("moderator", "/contributions/{thread}/summary"),
    "summary-form-with-errors": Page(
        "moderator",
        "/contributions/{thread}/summary",
        422,
        "/contributions/{thread}/summary",
        {"body": " ", "version": "2"},
    ),
    "summary-conflict": Page(
        "moderator",
        "/contributions/{thread}/summary",
        409,
        "/contributions/{thread}/summary",
        {"body": "Late.", "version": "1"},
    ),
    "summary-history": Page("anonymous", "/contributions/{thread}/summary/history"),
    "summary-history-as-moderator": Page("moderator", "/contributions/{thread}/summary/history"),
    "merge": Page("moderator", "/contributions/{thread}/merge"),
    "merge-with-errors": Page(
        "moderator", "/contributions/{thread}/merge", 422, "/contributions/{thread}/merge", {"into": "x", "reason": ""}
    ),
    "merged-thread": Page("anonymous", "/contributions/{merged}"),
    "merged-thread-as-moderator": Page("moderator", "/contributions/{merged}/merge"),
    "reply-to-a-merged-thread": Page("participant", "/contributions/{merged}/reply", 409),
    "export": Page("negotiator", f"{CONSULTATION}/export"),
    "export-with-errors": Page(
        "negotiator", f"{CONSULTATION}/export", 422, f"{CONSULTATION}/exports", {"format": "x", "since": "no"}
    ),
    "export-job-done": Page("negotiator", "{export_done}"),
    "export-job-waiting": Page("negotiator", "{export_waiting}"),
    "consolidation": Page("negotiator", f"{CONSULTATION}/consolidation"),
    "consolidation-of-a-roundtable": Page("negotiator", f"{CONSULTATION}/consolidation?roundtable=RT2&view=region"),
    "consolidation-with-errors": Page("negotiator", f"{CONSULTATION}/consolidation?since=yesterday&type=robots&view=x"),
    "consolidation-of-a-key-message": Page("negotiator", f"{CONSULTATION}/consolidation/RT2-KM3?view=origin"),
    "organisation": Page("anonymous", "/organisations/{organisation}"),
    "organisation-as-member": Page("participant", "/organisations/{organisation}"),
    "organisation-on-a-topic": Page("anonymous", "/organisations/{organisation}?topic=remittances"),
    "organisation-verify": Page("moderator", "/organisations/{organisation}/verify"),
    "organisation-verify-with-errors": Page(
        "moderator", "/organisations/{organisation}/verify", 422, "/organisations/{organisation}/verify", {"note": ""}
    ),
    "organisations-review": Page("moderator", "/organisations/review"),
    "organisation-claim-with-errors": Page(
        "moderator", "/organisations/review", 422, "/organisations/claims", {"request_id": "1", "note": ""}
    ),
    "two-factor-setup": Page("participant", "/account/two-factor"),
    "two-factor-setup-with-errors": Page(
        "participant", "/account/two-factor", 422, "/account/two-factor", {"code": "1"}
    ),
    "two-factor-on": Page("moderator", "/account/two-factor"),
    "privacy": Page("anonymous", "/privacy"),
    "accessibility-statement": Page("anonymous", "/accessibility"),
    "personal-data": Page("participant", "/account/data"),
    "delete-account": Page("participant", "/account/delete"),
    "delete-account-with-errors": Page(
        "participant", "/account/delete", 422, "/account/delete", {"password": "", "contributions": ""}
    ),
    "admin-people": Page("admin", "/admin/people"),
    "admin-people-search": Page("admin", "/admin/people?q=example.org"),
    "admin-person": Page("admin", "/admin/people/{participant_id}"),
    "admin-audit": Page("admin", "/admin/audit"),
    # -- campaigns (issue 11) --
    "campaigns": Page("moderator", f"{CONSULTATION}/campaigns"),
    "campaigns-status": Page("moderator", f"{CONSULTATION}/campaigns/status"),
    "campaign": Page("moderator", "/moderation/campaigns/{campaign}"),
    "key-message-with-a-campaign": Page("anonymous", key_message_path("RT2-KM2")),
    "key-message-with-a-campaign-as-moderator": Page("moderator", key_message_path("RT2-KM2")),
    "admin-audit-filtered": Page("admin", "/admin/audit?tag=accounts%3Auser%3Asign_in&email=admin%40example.org"),
    "admin-consultations": Page("admin", "/admin/consultations"),
    "admin-consultations-with-errors": Page(
        "admin", "/admin/consultations", 422, "/admin/consultations/com-2013-292/premoderation", {"premoderation": "x"}
    ),
    "moderation-queue": Page("moderator", "/moderation"),
    # -- curation by negotiators (issue 12); the public page once closed: test_negotiators_curate.py --
    "admin-consultations-outcome-with-errors": Page(
        "admin", "/admin/consultations", 422, "/admin/consultations/com-2013-292/outcome", {"publishes_outcome": "x"}
    ),
    "curation": Page("negotiator", f"{CONSULTATION}/consolidation/RT2-KM3/contributions"),
    "curation-with-errors": Page(
        "negotiator",
        f"{CONSULTATION}/consolidation/RT2-KM3/contributions",
        422,
        f"{CONSULTATION}/consolidation/RT2-KM3/contributions/{{thread}}/review",
        {"state": "not_reflected", "reason": ""},
    ),
    "curation-note-with-errors": Page(
        "negotiator",
        f"{CONSULTATION}/consolidation/RT2-KM3/contributions",
        422,
        f"{CONSULTATION}/consolidation/RT2-KM3/notes",
        {"note": " "},
    ),
    "revised-wording": Page("negotiator", f"{CONSULTATION}/consolidation/RT2-KM3/wording"),
    "revised-wording-with-errors": Page(
        "negotiator",
        f"{CONSULTATION}/consolidation/RT2-KM3/wording",
        422,
        f"{CONSULTATION}/consolidation/RT2-KM3/wording",
        {"text": "A wording.", "contributions": "x"},
    ),
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
    pinned = await post_reply(participant, thread, "A reply with a [link](https://example.org).")
    retagged = await post_form(  # a topic on the thread, and a retag in its moderation history
        people["moderator"],
        f"/contributions/{thread}/moderate",
        f"/contributions/{thread}/topics",
        {"topics": "remittances", "reason": "About money sent home."},
    )
    assert retagged.status_code == 303, retagged.text
    chain = [thread]  # live updates and large threads: replies deeper than a page shows
    for depth in range(1, 7):
        chain.append(await post_reply(participant, chain[-1], f"A reply at depth {depth}."))
    await post_position(participant, "EU-C1", "We support this commitment.")
    hidden = await post_position(participant, "EU-C1", "Off-topic text.", position="oppose")
    response = await post_form(
        people["moderator"],
        f"/contributions/{hidden}/moderate",
        f"/contributions/{hidden}/moderate",
        {"action": "hide", "reason": "Off topic."},
    )
    assert response.status_code == 303, response.text
    paged = await post_positions(participant, "RT4-KM1", [f"Position {n}" for n in range(1, 23)])
    more = soup(await participant.get(key_message_path("RT4-KM1"))).select_one("#more a[href]")
    assert more is not None, "RT4-KM1 should have a second page"
    organisation = soup(await participant.get(key_message_path("RT2-KM3"))).select_one(".contribution a.org")
    assert organisation is not None, "the participant speaks for an organisation"
    endorsements = await _amendment_and_endorsement(people, thread)
    await _curated(people["moderator"], thread, pinned)
    merged = await post_position(
        people["negotiator"], "RT2-KM3", "The same point again, as a duplicate.", position="oppose"
    )
    response = await post_form(
        people["moderator"],
        f"/contributions/{merged}/merge",
        f"/contributions/{merged}/merge",
        {"into": str(thread), "reason": "A duplicate of the first thread."},
    )
    assert response.status_code == 303, response.text
    people_page = soup(await people["admin"].get("/admin/people?q=awa.diop"))
    participant_link = people_page.select_one("a[href^='/admin/people/']")
    assert participant_link is not None, "the admin finds the participant"
    return {
        "participant_id": str(participant_link["href"]).rsplit("/", 1)[-1],
        "thread": str(thread),
        "deep": str(chain[2]),
        "hidden": str(hidden),
        "pinned": str(pinned),
        "merged": str(merged),
        "second_page": str(more["href"]),
        "past_the_first_page": str(paged[-1]),
        "organisation": str(organisation["href"]).rsplit("/", 1)[-1],
        **endorsements,
        **await _quoted_passages(participant),
        **await _edited_with_paper(participant),
        **await _campaign(live_server, people),
        # After the campaign: its worker runs every job then waiting.
        **await _exports(live_server, people),
    }


async def _amendment_and_endorsement(people: dict[str, httpx.AsyncClient], thread: int) -> dict[str, str]:
    """An amendment by someone outside the participant's organisation (so it may endorse it),
    and a reply it endorsed (so pages list an endorser)."""
    moderator, participant, path = people["moderator"], people["participant"], key_message_path("RT2-KM3")
    wording = {"position": "support_with_amendments", "amendment_text": "Alle lidstaten moeten integreren."}
    response = await post_form(
        moderator, path, f"{path}/contributions", {**wording, "body": "Why.", "submission_key": "html-amendment"}
    )
    assert response.status_code == 303, response.text
    amendment = response.headers["location"].rpartition("#c")[2]
    endorsed = await post_reply(moderator, thread, "A reply to endorse.")
    endorse = f"/contributions/{endorsed}/endorse"
    choice = soup(await participant.get(endorse)).select_one("[name=organisation_id]")
    assert choice is not None, "the participant's organisation may endorse the moderator's reply"
    response = await post_form(participant, endorse, endorse, {"organisation_id": str(choice["value"])})
    assert response.status_code == 303, response.text
    return {"amendment": amendment, "endorsed": str(endorsed)}


async def _curated(moderator: httpx.AsyncClient, thread: int, reply: int) -> None:
    """A highlight of RT2-KM3 (the thread's reply) and the thread's summary, edited once."""
    pin = f"/contributions/{reply}/highlight"
    response = await post_form(moderator, pin, pin, {"reason": "It links to its source."})
    assert response.status_code == 303, response.text
    summary = f"/contributions/{thread}/summary"
    for version, body in enumerate(("A *first* summary.", "A second summary:\n\n- with a list")):
        response = await post_form(moderator, summary, summary, {"body": body, "version": str(version)})
        assert response.status_code == 303, response.text


async def _campaign(live_server: LiveServer, people: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """Four people post the same position on RT2-KM2; the moderator recomputes the campaigns and
    a worker (in this process) runs the job against the live server's database."""
    for who in ("participant", "moderator", "negotiator", "admin"):
        await post_position(people[who], "RT2-KM2", CAMPAIGN_TEXT)
    campaigns = f"{CONSULTATION}/campaigns"
    response = await post_form(people["moderator"], campaigns, f"{campaigns}/recompute", {})
    assert response.status_code == 303, response.text
    engine = make_engine(live_server.database_url, null_pool=True)
    try:
        assert await work(engine, job_handlers(), once=True) == 1
    finally:
        await engine.dispose()
    link = soup(await people["moderator"].get(campaigns)).select_one("ol.campaigns a[href^='/moderation/campaigns/']")
    assert link is not None, "the four positions form a campaign"
    return {"campaign": str(link["href"]).rsplit("/", 1)[-1]}


async def _exports(live_server: LiveServer, people: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """The negotiator asks for a CSV of RT2, which a worker makes, then for a JSON, which waits."""
    negotiator, export, exports = people["negotiator"], f"{CONSULTATION}/export", f"{CONSULTATION}/exports"
    done = await post_form(negotiator, export, exports, {"format": "csv", "roundtable": "RT2"})
    assert done.status_code == 303, done.text
    engine = make_engine(live_server.database_url, null_pool=True)
    try:
        assert await work(engine, job_handlers(), once=True) == 1
    finally:
        await engine.dispose()
    waiting = await post_form(negotiator, export, exports, {"format": "json"})
    assert waiting.status_code == 303, waiting.text
    return {"export_done": done.headers["location"], "export_waiting": waiting.headers["location"]}


async def _quoted_passages(participant: httpx.AsyncClient) -> dict[str, str]:
    """QUOTED quoted three times: twice in overlapping passages (one highlight linking to the
    passage page) and once alone (linking to the contribution)."""
    path = key_message_path(QUOTED)
    quotes = ("in het bijzonder voor ijveren", "voor ijveren dat in de ontwikkelingsagenda", "stappen ondernemen")
    for number, quote in enumerate(quotes):
        data = {"position": "oppose", "body": "Quoted.", "quote_text": quote, "submission_key": f"html-quote-{number}"}
        response = await post_form(participant, path, f"{path}/contributions", data)
        assert response.status_code == 303, response.text
    passage = soup(await participant.get(path)).select_one("a.quoted-by[href*='/passages/']")
    assert passage is not None, "overlapping quotes link to their passage page"
    return {"passage": str(passage["href"])}


async def _edited_with_paper(participant: httpx.AsyncClient) -> dict[str, str]:
    """Editing and attachments: a position on RT2-KM1 with a position paper, edited once."""
    path = key_message_path("RT2-KM1")
    fields = guard_fields(await participant.get(path))
    data = {**fields, "position": "support", "body": "A first wording.", "submission_key": "html-paper-01"}
    files = {"attachment": ("Position paper.pdf", tiny_pdf(), "application/pdf")}
    response = await participant.post(f"{path}/contributions", data=data, files=files)
    assert response.status_code == 303, response.text
    edited = response.headers["location"].rpartition("#c")[2]
    version = soup(await participant.get(f"/contributions/{edited}/edit")).select_one("input[name=version]")["value"]
    changed = {"version": str(version), "position": "support", "body": "A second, better wording.", "language": "en"}
    response = await post_form(participant, f"/contributions/{edited}/edit", f"/contributions/{edited}/edit", changed)
    assert response.status_code == 303, response.text
    return {"edited": edited}


@pytest.mark.parametrize("language", SUPPORTED_LOCALES)
@pytest.mark.parametrize("name", list(PAGES))
async def test_page_is_valid_html(
    name: str, language: str, html_checker: Checker, people: dict[str, httpx.AsyncClient], content: dict[str, str]
) -> None:
    """Every page in every language the site offers: a translation may carry markup, a
    direction or a length that breaks a page its English does not."""
    page = PAGES[name]
    client = people[page.who]
    path = page.path.format(**content)
    client.cookies.set(LANGUAGE_COOKIE, language)
    try:
        if page.action is None:
            response = await client.get(path)
        else:
            response = await post_form(client, path, page.action.format(**content), page.form)
    finally:
        client.cookies.delete(LANGUAGE_COOKIE)
    assert response.status_code == page.status, f"{path}: {response.status_code}\n{response.text[:2000]}"
    assert response.headers["content-type"].startswith("text/html")
    assert soup(response).html["lang"] == language

    errors = await check_html(await html_checker.ready(), response.text)

    assert not errors, report(f"{page.who} {response.request.method} {response.url}", errors)


async def test_checker_reports_errors(html_checker: Checker) -> None:
    """Guards the test above: a checker that never answers with errors would pass everything."""
    html = '<!doctype html><html lang="en"><title>t</title><form hx-post="/x"><p><div></div></form></html>'

    errors = await check_html(await html_checker.ready(), html)

    assert any("hx-post" in error["message"] for error in errors), errors
