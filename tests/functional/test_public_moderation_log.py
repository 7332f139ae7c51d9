"""The public moderation log over HTTP (issue 11): a contribution hidden under a rule and
restored on appeal by another moderator shows as two decisions, with their rule and reason,
to anyone; never with the contribution's text or the author's, moderators' or reporter's
names. Anonymous readers get the shared cache headers and 304s of the other reading pages."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.consultation.models import ConsultationStatus, PreModeration
from app.moderation.models import ModerationAction, ModerationLogEntry
from app.security.roles import Role
from app.web.cache_policy import PERSONAL, SHARED
from tests.factories import PASSWORD, make_position, make_user
from tests.support import post_form, sign_in, soup, visible_text

CONSULTATION = "/consultations/com-2013-292"
LOG = f"{CONSULTATION}/moderation-log"
FIGURES = f"{LOG}/figures"
QUEUE = "/moderation"
TEXT = "Zyxwv the unmistakable words of the contribution."
NAMES = ("Aurelia Author", "Rhea Reporter", "Mona First", "Sven Second")


async def queue_item_path(client: httpx.AsyncClient) -> str:
    [item] = soup(await client.get(QUEUE)).select("li.queue-item")
    return f"/moderation/items/{item['id'].removeprefix('item-')}/decision"


async def test_a_hidden_then_restored_contribution_shows_two_decisions_and_nobody(
    client, other_client, db, consultation
):
    author, reporter, first, second = (
        await make_user(db, name=NAMES[0]),
        await make_user(db, name=NAMES[1]),
        await make_user(db, role=Role.MODERATOR, name=NAMES[2]),
        await make_user(db, role=Role.MODERATOR, name=NAMES[3]),
    )
    position = await make_position(db, consultation, author=author, body=TEXT)
    await db.commit()
    await sign_in(client, reporter.email, PASSWORD)
    assert (await post_form(client, f"/contributions/{position.id}/report", {"reason": "abusive"})).status_code == 303
    await sign_in(other_client, first.email, PASSWORD)
    hidden = await post_form(
        other_client,
        await queue_item_path(other_client),
        {"action": "hide", "reason": "A personal attack.", "rule": "R1"},
    )
    assert hidden.status_code == 303
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as anonymous:
        marker = soup(await anonymous.get(f"/contributions/{position.id}")).select_one(f"#c{position.id} p.removed")
        assert marker.select_one(f"a[href='{LOG}']").get_text() == "Moderation log"
    await post_form(client, "/sign-out", {})
    await sign_in(client, author.email, PASSWORD)
    appealed = await post_form(client, f"/contributions/{position.id}/appeal", {"text": "It criticises a policy."})
    assert appealed.status_code == 303
    await post_form(other_client, "/sign-out", {})
    await sign_in(other_client, second.email, PASSWORD)
    restored = await post_form(
        other_client, await queue_item_path(other_client), {"action": "restore", "reason": "Criticism of a policy."}
    )
    assert restored.status_code == 303

    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as anonymous:
        response = await anonymous.get(LOG)
        assert response.status_code == 200
        page = soup(response)
        restore, hide = page.select("ol.moderation-log > li")
        assert restore.select_one("strong").get_text() == "Restored"
        assert "Reason: Criticism of a policy." in restore.get_text()
        assert restore.select_one(".rule") is None
        assert hide.select_one("strong").get_text() == "Hidden"
        assert "Rule: R1, Respect other participants" in hide.get_text()
        assert "Reason: A personal attack." in hide.get_text()
        for decision in (restore, hide):
            assert decision.select_one("a")["href"] == f"/contributions/{position.id}#c{position.id}"
        shown = visible_text(response)
        assert "Zyxwv" not in response.text and "Zyxwv" not in shown
        for name in NAMES:
            assert name not in response.text
        for person in (author, reporter, first, second):
            assert person.email not in response.text
        assert "It criticises a policy" not in response.text  # the appeal's text is the author's

        figures = await anonymous.get(FIGURES)
        assert figures.status_code == 200
        this_month = soup(figures).select_one("table.figures tbody tr")
        cells = [cell.get_text() for cell in this_month.select("td")]
        # reports, hidden, restored, kept, topics corrected, approved, not published, median,
        # appeals, reversals
        assert cells[:7] == ["1", "1", "1", "0", "0", "0", "0"] and cells[8:] == ["1", "1"]
        for name in NAMES:
            assert name not in figures.text


async def test_anonymous_readers_get_shared_caching_and_304s(client, other_client, db):
    response = await client.get(LOG)
    assert response.status_code == 200 and response.headers["cache-control"] == SHARED
    assert "moderators have taken no decision" in response.text
    again = await client.get(LOG, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == SHARED
    figures = await client.get(FIGURES)
    assert figures.headers["cache-control"] == SHARED and "last-modified" not in figures.headers
    assert (await client.get(FIGURES, headers={"If-None-Match": figures.headers["etag"]})).status_code == 304

    reader = await make_user(db)
    await db.commit()
    await sign_in(other_client, reader.email, PASSWORD)
    signed_in = await other_client.get(LOG)
    assert signed_in.status_code == 200 and signed_in.headers["cache-control"] == PERSONAL
    assert "etag" not in signed_in.headers


async def test_the_consultation_page_links_to_its_log(client):
    page = soup(await client.get(CONSULTATION))
    assert page.select_one(f"a[href='{LOG}']").get_text() == "Moderation log"


async def test_hostile_queries_read_as_the_first_page_or_the_current_months(client):
    for query in ("abc", "-1", "0", "9" * 30, "1%00", "%E2%80%AE1"):
        response = await client.get(f"{LOG}?before={query}")
        assert response.status_code == 200, query
    for query in ("2026-13", "1999-01", "x" * 5000, "2026-1\x01", "99999-01", "2026-05-01"):
        response = await client.get(FIGURES, params={"until": query})
        assert response.status_code == 200, query
        assert len(soup(response).select("table.figures tbody tr")) == 12
    assert (await client.get("/consultations/no-such-consultation/moderation-log")).status_code == 404
    assert (await client.get("/consultations/no-such-consultation/moderation-log/figures")).status_code == 404


async def test_earlier_months_are_a_link_away(client):
    page = soup(await client.get(FIGURES, params={"until": "2025-06"}))
    months = [row.select_one("time")["datetime"] for row in page.select("table.figures tbody tr")]
    assert months[0] == "2025-06" and months[-1] == "2024-07"
    links = {a.get_text(): a["href"] for a in page.select("nav a")}
    assert links["Earlier months"].endswith("?until=2024-06")
    assert links["Later months"].endswith("?until=2026-06")


async def test_a_draft_consultations_log_is_not_found(client, other_client, db, consultation):
    consultation.status = ConsultationStatus.DRAFT
    reader = await make_user(db)
    await db.commit()
    for path in (LOG, FIGURES):
        assert (await client.get(path)).status_code == 404
    await sign_in(other_client, reader.email, PASSWORD)
    for path in (LOG, FIGURES):
        assert (await other_client.get(path)).status_code == 404


async def test_held_contributions_approved_or_rejected_are_logged_without_their_text(
    client, other_client, db, consultation
):
    consultation.premoderation = PreModeration.FIRST_CONTRIBUTION
    authors = [await make_user(db, name=NAMES[0]), await make_user(db, name=NAMES[1])]
    moderator = await make_user(db, role=Role.MODERATOR, name=NAMES[2])
    await db.commit()
    await sign_in(other_client, moderator.email, PASSWORD)
    for number, (author, action) in enumerate(zip(authors, ("reject", "approve"), strict=True)):
        await sign_in(client, author.email, PASSWORD)
        held = {"body": f"{TEXT} {number}", "position": "support", "submission_key": f"held-log-{number:04d}"}
        assert (
            await post_form(client, f"{CONSULTATION}/messages/RT2-KM{number + 2}/contributions", held)
        ).status_code == 303
        await post_form(client, "/sign-out", {})
        decided = await post_form(
            other_client,
            await queue_item_path(other_client),
            {"action": action, "reason": "Looked at it.", "rule": "R1"},
        )
        assert decided.status_code == 303
    approved_id = await db.scalar(
        select(ModerationLogEntry.contribution_id).where(ModerationLogEntry.action == ModerationAction.APPROVE)
    )
    assert set((await db.scalars(select(ModerationLogEntry.consultation_id))).all()) == {consultation.id}

    response = await client.get(LOG)
    approved, rejected = soup(response).select("ol.moderation-log > li")
    assert approved.select_one("strong").get_text() == "Approved for publication"
    assert approved.select_one("a")["href"] == f"/contributions/{approved_id}#c{approved_id}"
    assert rejected.select_one("strong").get_text() == "Not published" and rejected.select_one("a") is None
    assert "A contribution that was never published" in rejected.get_text()
    assert "Rule: R1, Respect other participants" in rejected.get_text()
    assert "Zyxwv" not in response.text and not any(name in response.text for name in NAMES)
    cells = [
        cell.get_text() for cell in soup(await client.get(FIGURES)).select_one("table.figures tbody tr").select("td")
    ]
    assert cells[5:7] == ["1", "1"]
