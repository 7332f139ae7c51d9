"""Issue 11's "done when", as one journey over HTTP on each database: a participant reports a
contribution; it waits in the queue; a moderator hides it under a house rule; its author
gets the statement of reasons and appeals; a second moderator restores it; the public log
shows both decisions without the text or any name; pre-moderation holds a newcomer's first
contribution until approved; thirty near-identical posts become one campaign; a moderator
pins a highlight and summarises a thread, and both are on the page and in the export. Each
step has its own detailed tests (test_reports_and_queue, test_premoderation, test_campaigns,
test_curation, test_public_moderation_log); this one checks they hold together."""

from __future__ import annotations

import json
import random

import httpx
from sqlalchemy import select

from app.cli import job_handlers
from app.consultation.models import PreModeration
from app.jobs.worker import run_one
from app.mail.models import OutgoingMail
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_position, make_user
from tests.support import download_export, post_form, sign_in, soup
from tests.unit.discussion.test_near_duplicates import TEMPLATE, edited

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM3"
BODY = "A sharp but fair criticism of the return policy."


def browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")


async def decide_first(moderator: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    [item] = soup(await moderator.get("/moderation")).select("li.queue-item")
    return await post_form(moderator, f"/moderation/items/{item['id'].removeprefix('item-')}/decision", data)


async def test_the_moderation_workspace_from_report_to_export(
    client, other_client, db, connection, consultation, settings
):
    author = await make_user(db, name="Aminata Author")
    position = await make_position(db, consultation, author=author, body=BODY)
    reader = await make_user(db, name="Rita Reader")
    first = await make_user(db, role=Role.MODERATOR, name="Moses First")
    second = await make_user(db, role=Role.MODERATOR, name="Mona Second")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()

    # Reported, queued, hidden under a rule.
    await sign_in(client, reader.email, PASSWORD)
    assert (await post_form(client, f"/contributions/{position.id}/report", {"reason": "abusive"})).status_code == 303
    await sign_in(other_client, first.email, PASSWORD)
    hidden = await decide_first(other_client, {"action": "hide", "reason": "A personal attack.", "rule": "R1"})
    assert hidden.status_code == 303

    # The author's statement of reasons, the appeal, and another moderator's review.
    statement = await db.scalar(
        select(OutgoingMail).where(OutgoingMail.recipient == author.email).order_by(OutgoingMail.id.desc())
    )
    appeal_path = next(line for line in statement.body_text.splitlines() if line.endswith("/appeal"))
    appeal_path = appeal_path.removeprefix(settings.base_url)
    async with browser(client) as author_browser:
        await sign_in(author_browser, author.email, PASSWORD)
        appealed = await post_form(author_browser, appeal_path, {"text": "It criticises a policy, not a person."})
        assert appealed.status_code == 303
    refused = await decide_first(other_client, {"action": "restore", "reason": "I was wrong."})
    assert refused.status_code == 422
    async with browser(client) as second_browser:
        await sign_in(second_browser, second.email, PASSWORD)
        restored = await decide_first(second_browser, {"action": "restore", "reason": "Criticism of a policy."})
        assert restored.status_code == 303
    assert BODY in (await client.get(KM)).text

    # The public log: both decisions, their rule and reasons; no text, no names.
    async with browser(client) as anonymous:
        log = await anonymous.get(f"/consultations/{SLUG}/moderation-log")
    entries = [" ".join(li.get_text(" ").split()) for li in soup(log).select("ol.moderation-log > li")]
    assert len(entries) == 2 and any("Hidden" in e and "A personal attack." in e for e in entries)
    assert any("Restored" in e and "Criticism of a policy." in e for e in entries)
    for secret in (BODY, "Aminata Author", "Rita Reader", "Moses First", "Mona Second", "not a person"):
        assert secret not in log.text

    # Pre-moderation holds a newcomer's first contribution until a moderator approves it.
    consultation.premoderation = PreModeration.FIRST_CONTRIBUTION
    newcomer = await make_user(db)
    await db.commit()
    async with browser(client) as newcomer_browser:
        await sign_in(newcomer_browser, newcomer.email, PASSWORD)
        held = {"body": "My organisation's first word here.", "position": "neutral", "submission_key": "first-word-1"}
        assert (
            (await post_form(newcomer_browser, f"{KM}/contributions", held))
            .headers["location"]
            .endswith("#awaiting-moderation")
        )
    assert "first word here" not in (await client.get(KM)).text
    approved = await decide_first(other_client, {"action": "approve", "reason": "On topic."})
    assert approved.status_code == 303 and "first word here" in (await client.get(KM)).text
    consultation.premoderation = PreModeration.NONE
    await db.commit()

    # Thirty near-identical posts become one campaign, found in the background.
    rng = random.Random(11)
    for _ in range(30):
        await make_position(
            db, consultation, author=await make_user(db, with_organisation=False), body=edited(TEMPLATE, rng)
        )
    await db.commit()
    assert (await post_form(other_client, f"/consultations/{SLUG}/campaigns/recompute", {})).status_code == 303
    sessions = _sessionmaker(connection)
    assert await run_one(sessions, sessions, job_handlers())
    assert "Part of a campaign of 30 near-identical contributions" in (await client.get(KM)).text

    # A highlight and a thread summary, on the page and in the export.
    pinned = await post_form(other_client, f"/contributions/{position.id}/highlight", {"reason": "Names the risk."})
    assert pinned.status_code == 303
    summary = {"body": "The policy, not the people, is criticised.", "version": "0"}
    assert (await post_form(other_client, f"/contributions/{position.id}/summary", summary)).status_code == 303
    page = soup(await client.get(KM))
    assert "Names the risk." in page.select_one("#highlights").get_text()
    thread = soup(await client.get(f"/contributions/{position.id}"))
    assert "not the people" in thread.select_one("#summary").get_text()
    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, f"/consultations/{SLUG}", "json")).content)
    [message] = [m for s in exported["roundtables"] for m in s["key_messages"] if m["ref"] == "RT2-KM3"]
    assert [h["contribution_id"] for h in message["highlights"]] == [position.id]
    assert [s["thread_id"] for s in message["summaries"]] == [position.id]
    assert message["counts"]["total_counting_campaigns_once"] < message["counts"]["total"]
