"""Negotiators record what was taken up (issue 12, curation): review states with every change
kept, internal notes only negotiators ever see, a revised wording shown as a redline with the
contributions it reflects, and a public "what we heard" page once the consultation is closed
and allows it. Participants, moderators and readers who are not signed in see none of the
negotiators' working text anywhere."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.services import CONSULTATION_OUTCOME
from app.consolidation.models import ReviewChange, ReviewState
from app.consolidation.reviews import review_states
from app.consolidation.revisions import current_wording
from app.db import utcnow
from app.security.roles import Role
from tests.factories import PASSWORD, key_message, make_organisation, make_position, make_reply, make_user
from tests.live import Checker, html_checker
from tests.support import field_errors, post_form, sign_in, soup
from tests.vnu import check_html, report

__all__ = ["html_checker"]  # a fixture, imported for pytest

SLUG = "com-2013-292"
REF = "RT2-KM3"
BASE = f"/consultations/{SLUG}/consolidation/{REF}"
CONTRIBUTIONS = f"{BASE}/contributions"
WORDING = f"{BASE}/wording"
HEARD = f"/consultations/{SLUG}/what-we-heard/{REF}"
KEY_MESSAGE = f"/consultations/{SLUG}/messages/{REF}"
NOTE = "Ministry line: do not concede on visas"
REASON = "Conflicts with Council conclusions of 2012"
KM_NOTE = "Whole key message: park until the Presidency decides"


async def discussion(db, consultation):  # type: ignore[no-untyped-def]
    """A named position, an anonymous one, one not for publication, and a reply."""
    named = await make_position(
        db, consultation, author=await make_user(db, name="Nadia Named"), body="Remittances matter."
    )
    organisation = await make_organisation(db, name="Quiet Diaspora Network")
    anonymous = await make_position(
        db,
        consultation,
        author=await make_user(db, organisation=organisation, name="Anna Anonymous"),
        position="oppose",
        body="We oppose it.",
        publication="anonymous",
    )
    unpublished = await make_position(
        db,
        consultation,
        author=await make_user(db, name="Ulla Unpublished"),
        body="For negotiators only.",
        publication="not_for_publication",
    )
    reply = await make_reply(db, author=await make_user(db, name="Rui Reply"), parent=named, body="Agreed.")
    negotiator = await make_user(db, role=Role.NEGOTIATOR, name="Nils Negotiator")
    await db.commit()
    return named, anonymous, unpublished, reply, negotiator


async def signed_in_as(client, db, role):  # type: ignore[no-untyped-def]
    person = await make_user(db, role=role)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    return person


async def test_a_negotiator_marks_states_keeps_notes_and_sees_the_history(client, db, consultation):
    named, anonymous, unpublished, reply, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    linked = soup(await client.get(KEY_MESSAGE)).select_one(".curation-link a")
    assert linked is not None and linked["href"] == CONTRIBUTIONS
    page = await client.get(CONTRIBUTIONS)
    assert page.status_code == 200
    ids = {item["id"] for item in soup(page).select("li.curation-item")}
    assert {f"c{c.id}" for c in (named, anonymous, unpublished, reply)} <= ids  # negotiators read all
    assert "Anna Anonymous" not in page.text and "Quiet Diaspora Network" not in page.text  # consent still holds

    done = await post_form(
        client, f"{CONTRIBUTIONS}/{named.id}/review", {"state": "reflected", "reason": "", "back": "state=new"}
    )
    assert done.status_code == 303 and done.headers["location"] == f"{CONTRIBUTIONS}?state=new#c{named.id}"
    refused = await post_form(
        client, f"{CONTRIBUTIONS}/{anonymous.id}/review", {"state": "not_reflected", "reason": "  ", "back": ""}
    )
    assert refused.status_code == 422
    assert f"reason-{anonymous.id}" in field_errors(refused)
    kept = soup(refused).select_one(f"#field-reason-{anonymous.id}")
    assert kept is not None and kept.get("aria-invalid") == "true"
    assert soup(refused).select_one(f"#state-not_reflected-{anonymous.id}").has_attr("checked")
    await post_form(
        client, f"{CONTRIBUTIONS}/{anonymous.id}/review", {"state": "not_reflected", "reason": REASON, "back": ""}
    )
    noted = await post_form(client, f"{CONTRIBUTIONS}/{anonymous.id}/notes", {"note": NOTE, "back": ""})
    assert noted.status_code == 303 and noted.headers["location"].endswith(f"#c{anonymous.id}")
    await post_form(client, f"{BASE}/notes", {"note": KM_NOTE, "back": ""})

    page = await client.get(CONTRIBUTIONS)
    item = soup(page).select_one(f"#c{anonymous.id}")
    assert NOTE in item.get_text() and REASON in item.get_text() and "Nils Negotiator" in item.get_text()
    assert KM_NOTE in soup(page).select_one("#key-message-notes").get_text()
    states = await review_states(db, [named.id, anonymous.id, reply.id])
    assert states == {
        named.id: ReviewState.REFLECTED,
        anonymous.id: ReviewState.NOT_REFLECTED,
        reply.id: ReviewState.NEW,
    }

    only_new = await client.get(f"{CONTRIBUTIONS}?state=new")
    shown = {item["id"] for item in soup(only_new).select("li.curation-item")}
    assert f"c{reply.id}" in shown and f"c{named.id}" not in shown and f"c{anonymous.id}" not in shown
    opposed = await client.get(f"{CONTRIBUTIONS}?position=oppose&state=not_reflected")
    assert {item["id"] for item in soup(opposed).select("li.curation-item")} == {f"c{anonymous.id}"}
    diaspora = await client.get(f"{CONTRIBUTIONS}?type=diaspora")
    assert soup(diaspora).select("li.curation-item") == [] and soup(diaspora).select_one(
        "#filter-type-diaspora"
    ).has_attr("checked")


async def test_hostile_filters_never_break_the_page(client, db, consultation):
    *_made, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    for query in (
        "type=%3Cscript%3E&since=notadate&until=2026-13-45",
        "after=-1&state=bogus&state=new",
        f"after={2**40}&position=" + "x" * 5000,
        "region=999&verified=%00&type=individual&type=individual",
    ):
        page = await client.get(f"{CONTRIBUTIONS}?{query}")
        assert page.status_code == 200, query
        assert "<script>" not in page.text


async def test_htmx_changes_the_item_in_place_and_keeps_the_text_on_error(client, db, consultation):
    named, *_rest, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    headers = {"HX-Request": "true"}
    answer = await post_form(
        client,
        f"{CONTRIBUTIONS}/{named.id}/review",
        {"state": "partly_reflected", "reason": "Para 3", "back": ""},
        headers=headers,
    )
    assert answer.status_code == 200
    item = soup(answer).select("li.curation-item")
    assert [i["id"] for i in item] == [f"c{named.id}"] and "<html" not in answer.text
    assert soup(answer).select_one(f"#state-partly_reflected-{named.id}").has_attr("checked")
    refused = await post_form(
        client,
        f"{CONTRIBUTIONS}/{named.id}/review",
        {"state": "not_reflected", "reason": "", "back": ""},
        headers=headers,
    )
    assert refused.status_code == 422 and f"reason-{named.id}" in field_errors(refused)
    assert soup(refused).select_one(f"#state-not_reflected-{named.id}").has_attr("checked")
    noted = await post_form(client, f"{CONTRIBUTIONS}/{named.id}/notes", {"note": NOTE, "back": ""}, headers=headers)
    assert noted.status_code == 200 and NOTE in soup(noted).select_one(f"#c{named.id} .curation-notes").get_text()
    empty = await post_form(client, f"{CONTRIBUTIONS}/{named.id}/notes", {"note": "\x00 ", "back": ""}, headers=headers)
    assert empty.status_code == 422 and f"note-{named.id}" in field_errors(empty)


@pytest.mark.parametrize(
    "data",
    [
        {"state": "accepted", "reason": ""},
        {"state": "\x00", "reason": "x"},
        {"state": "reflected", "reason": "x" * 5000},
        {"state": ["reflected", "reviewed"], "reason": ""},
    ],
)
async def test_hostile_review_forms_are_refused_with_the_page(client, db, consultation, data):
    named, *_rest, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    refused = await post_form(client, f"{CONTRIBUTIONS}/{named.id}/review", {**data, "back": "after=99999999999"})
    assert refused.status_code in {303, 422}  # two states: the first is taken
    assert (await db.scalar(select(ReviewChange.id).where(ReviewChange.to_state == ReviewState.NEW))) is None


async def test_a_contribution_of_another_key_message_or_none_is_not_found(client, db, consultation):
    _named, *_rest, negotiator = await discussion(db, consultation)
    elsewhere = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM1")
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    for number in (elsewhere.id, 2**31 - 1, 2**40):
        answer = await post_form(client, f"{CONTRIBUTIONS}/{number}/review", {"state": "reviewed", "reason": ""})
        assert answer.status_code == 404
    assert (await client.get(f"/consultations/{SLUG}/consolidation/RT9-KM9/contributions")).status_code == 404
    assert (await client.get(f"/consultations/nope/consolidation/{REF}/contributions")).status_code == 404


async def test_the_list_is_paged_by_keyset(client, db, consultation, app):
    *_made, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    page_size = app.state.settings.page_size
    for number in range(page_size):
        await make_position(db, consultation, author=await make_user(db), body=f"Position {number}.")
    await db.commit()
    first = await client.get(f"{CONTRIBUTIONS}?position=support")
    items = soup(first).select("li.curation-item")
    assert len(items) == page_size
    link = soup(first).find("a", string=lambda s: s and "Next contributions" in s)
    assert link is not None and "position=support" in link["href"]
    second = await client.get(link["href"])
    later = [i["id"] for i in soup(second).select("li.curation-item")]
    assert later and not set(later) & {i["id"] for i in items}
    # Refused on the second page without JavaScript: the same page comes back, the text kept.
    number = int(later[0].removeprefix("c"))
    back = link["href"].split("?", 1)[1]
    refused = await post_form(
        client, f"{CONTRIBUTIONS}/{number}/review", {"state": "not_reflected", "reason": "", "back": back}
    )
    assert refused.status_code == 422 and f"reason-{number}" in field_errors(refused)
    assert soup(refused).select_one(f"#error-summary-{number} a")["href"] == f"#field-reason-{number}"
    assert [i["id"] for i in soup(refused).select("li.curation-item")] == later


async def test_a_negotiator_records_a_revised_wording_as_a_redline(client, db, consultation):
    named, _anonymous, unpublished, _reply, negotiator = await discussion(db, consultation)
    elsewhere = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM1")
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    form = await client.get(WORDING)
    assert form.status_code == 200
    original = soup(form).select_one("#field-text").get_text()
    revised = original.rstrip(".") + ", including remittances."
    wrong = await post_form(client, WORDING, {"text": revised, "contributions": f"{named.id} {elsewhere.id}"})
    assert wrong.status_code == 422 and "contributions" in field_errors(wrong)
    assert soup(wrong).select_one("#field-text").get_text() == revised  # the text is kept
    saved = await post_form(client, WORDING, {"text": revised, "contributions": f"{named.id}, #{unpublished.id}"})
    assert saved.status_code == 303
    page = await client.get(WORDING)
    version = soup(page).select_one(".wording-version")
    assert (
        version is not None
        and version.select("ins")
        and "including remittances" in version.select_one("ins").get_text()
    )
    assert f"contribution {named.id}" in version.get_text()
    again = await post_form(client, WORDING, {"text": revised + " Also diaspora.", "contributions": str(named.id)})
    assert again.status_code == 303
    message = key_message(consultation, REF)
    current = await current_wording(db, message.id)
    assert current is not None and current.version == 2 and current.contribution_ids == [named.id]
    assert len(soup(await client.get(WORDING)).select(".wording-version")) == 2


async def close_with_outcome(db, consultation, publishes: bool = True) -> None:  # type: ignore[no-untyped-def]
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    consultation.publishes_outcome = publishes
    await db.commit()


async def curate(client, named, anonymous, unpublished, reply):  # type: ignore[no-untyped-def]
    await post_form(client, f"{CONTRIBUTIONS}/{named.id}/review", {"state": "reflected", "reason": "Para 1"})
    await post_form(client, f"{CONTRIBUTIONS}/{anonymous.id}/review", {"state": "not_reflected", "reason": REASON})
    await post_form(client, f"{CONTRIBUTIONS}/{unpublished.id}/review", {"state": "partly_reflected", "reason": ""})
    await post_form(client, f"{CONTRIBUTIONS}/{anonymous.id}/notes", {"note": NOTE})
    await post_form(client, f"{BASE}/notes", {"note": KM_NOTE})
    await post_form(
        client, WORDING, {"text": "A revised wording on remittances.", "contributions": f"{named.id} {unpublished.id}"}
    )


async def test_what_we_heard_exists_only_once_closed_and_allowed(client, db, consultation):
    named, anonymous, unpublished, reply, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    await curate(client, named, anonymous, unpublished, reply)
    reader = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    consultation.publishes_outcome = True
    await db.commit()
    assert (await reader.get(HEARD)).status_code == 404  # open: not yet
    assert "what-we-heard" not in (await reader.get(KEY_MESSAGE)).text
    await close_with_outcome(db, consultation, publishes=False)
    assert (await reader.get(HEARD)).status_code == 404  # closed, but not allowed
    await close_with_outcome(db, consultation)
    page = await reader.get(HEARD)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=0, s-maxage=1"  # the same for every reader
    rows = {row["id"]: row for row in soup(page).select("table.heard tbody tr")}
    assert rows[f"c{named.id}"].select_one(".outcome").get_text() == "Reflected"
    assert rows[f"c{anonymous.id}"].select_one(".outcome").get_text() == "Not reflected"
    assert rows[f"c{reply.id}"].select_one(".outcome").get_text() == "No decision recorded"
    assert f"c{unpublished.id}" not in rows and f"contribution {unpublished.id}" not in page.text
    wording = soup(page).select_one("#wording")
    assert wording.select("ins") and f"contribution {named.id}" in wording.get_text()
    assert soup(page).select_one("table.tally") is not None
    assert "what-we-heard" in (await reader.get(KEY_MESSAGE)).text
    assert (await reader.get(f"/consultations/{SLUG}/what-we-heard/RT9-KM9")).status_code == 404


async def test_the_public_page_is_valid_html(client, db, consultation, html_checker: Checker):
    """The other pages are checked with the live site (test_html_valid.py), whose consultation stays open."""
    named, anonymous, unpublished, reply, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    await curate(client, named, anonymous, unpublished, reply)
    await close_with_outcome(db, consultation)
    page = await client.get(HEARD)
    assert page.status_code == 200
    errors = await check_html(await html_checker.ready(), page.text)
    assert not errors, report(HEARD, errors)


#: What negotiators write for one another: never shown to anyone else.
SECRETS = (NOTE, REASON, KM_NOTE, "Nils Negotiator")


@pytest.mark.parametrize("role", ["anonymous", Role.PARTICIPANT, Role.MODERATOR])
async def test_nobody_but_negotiators_sees_notes_or_reasons(client, other_client, db, consultation, role):
    named, anonymous, unpublished, reply, negotiator = await discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)
    await curate(client, named, anonymous, unpublished, reply)
    await close_with_outcome(db, consultation)
    if role is Role.PARTICIPANT:  # the author of the contribution the note and the reason are about
        author = await db.get_one(User, anonymous.author_id)
        await sign_in(other_client, author.email, PASSWORD)
    elif role != "anonymous":
        await signed_in_as(other_client, db, role)
    pages = [
        HEARD,
        KEY_MESSAGE,
        f"/contributions/{named.id}",
        f"/contributions/{anonymous.id}",
        f"/contributions/{anonymous.id}/history",
        f"/consultations/{SLUG}/messages/{REF}/amendments",
        f"/consultations/{SLUG}/feed.atom",
        f"/consultations/{SLUG}/messages/{REF}/feed.atom",
        CONTRIBUTIONS,
        WORDING,
        f"/consultations/{SLUG}",
    ]
    if role != "anonymous":
        pages += ["/account/data", "/moderation", "/account/contributions"]
    for path in pages:
        answer = await other_client.get(path)
        assert answer.status_code in {200, 303, 403}, path
        assert "curation-link" not in answer.text, path
        assert not [secret for secret in SECRETS if secret in answer.text], path
    if role != "anonymous":  # what the site holds about the person: nothing negotiators wrote
        download = await post_form(other_client, "/account/data", {})
        assert download.status_code == 200 and not [s for s in SECRETS if s in download.text]
    for path in (CONTRIBUTIONS, WORDING):
        refused = await other_client.get(path)
        assert refused.status_code in {303, 403}  # sign in, or refused without a word on what is there
    for path, data in (
        (f"{CONTRIBUTIONS}/{named.id}/review", {"state": "reviewed", "reason": ""}),
        (f"{CONTRIBUTIONS}/{named.id}/notes", {"note": "Sneaky"}),
        (f"{BASE}/notes", {"note": "Sneaky"}),
        (WORDING, {"text": "Sneaky", "contributions": ""}),
    ):
        refused = await post_form(other_client, path, data)
        assert refused.status_code in {303, 403} and not [s for s in SECRETS if s in refused.text], path
    assert (await review_states(db, [named.id]))[named.id] is ReviewState.REFLECTED


async def test_an_administrator_turns_what_we_heard_on_and_it_is_audited(client, db, consultation):
    admin = await make_user(db, role=Role.ADMIN)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    page = await client.get("/admin/consultations")
    assert soup(page).select_one(f"#publishes_outcome-off-outcome-{SLUG}").has_attr("checked")
    bad = await post_form(client, f"/admin/consultations/{SLUG}/outcome", {"publishes_outcome": "maybe", "reason": ""})
    assert bad.status_code == 422
    assert (
        soup(bad).select_one(f"#error-summary-outcome-{SLUG} a")["href"] == f"#field-publishes_outcome-outcome-{SLUG}"
    )
    done = await post_form(
        client, f"/admin/consultations/{SLUG}/outcome", {"publishes_outcome": "on", "reason": "Agreed."}
    )
    assert done.status_code == 303
    await db.refresh(consultation)
    assert consultation.publishes_outcome is True
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == CONSULTATION_OUTCOME))
    assert event is not None and event.details["publishes_outcome"] is True and event.details["reason"] == "Agreed."
    same = await post_form(client, f"/admin/consultations/{SLUG}/outcome", {"publishes_outcome": "on", "reason": ""})
    assert same.status_code == 303
    events = (await db.scalars(select(AuditEvent).where(AuditEvent.tag == CONSULTATION_OUTCOME))).all()
    assert len(events) == 1  # choosing what is already so records nothing
