"""Campaigns over HTTP (issue 11): thirty people post nearly the same position; a moderator
starts a recomputation, watches its status, and finds one campaign of thirty; readers see
the note on each member, even on pages stored before; the export carries the campaign and
counts it once. Nobody but moderators reaches the campaign pages."""

from __future__ import annotations

import csv
import io
import json
import random

from app.cli import job_handlers
from app.jobs.worker import run_one
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_position, make_user
from tests.support import download_export, post_form, sign_in, soup
from tests.unit.discussion.test_near_duplicates import TEMPLATE, edited, unrelated

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM3"
CAMPAIGNS = f"/consultations/{SLUG}/campaigns"
NOTE = "Part of a campaign of 30 near-identical contributions"
HTMX = {"HX-Request": "true"}


async def _thirty_and_five_others(db, consultation):  # type: ignore[no-untyped-def]
    rng = random.Random(30)
    members = []
    for _ in range(30):
        author = await make_user(db, with_organisation=False)
        members.append(await make_position(db, consultation, author=author, body=edited(TEMPLATE, rng)))
    others = []
    for _ in range(5):
        author = await make_user(db, with_organisation=False)
        others.append(await make_position(db, consultation, author=author, position="oppose", body=unrelated(rng)))
    await db.commit()
    return members, others


async def test_thirty_near_identical_posts_become_one_campaign_everyone_sees(  # type: ignore[no-untyped-def]
    client, other_client, db, connection, consultation
):
    members, others = await _thirty_and_five_others(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    before = await client.get(KM)  # stored for the next reader
    assert before.status_code == 200 and NOTE not in before.text

    await sign_in(other_client, moderator.email, PASSWORD)
    page = await other_client.get(CAMPAIGNS)
    assert page.status_code == 200 and "have not been computed" in page.text
    queued = await post_form(other_client, f"{CAMPAIGNS}/recompute", {})
    assert queued.status_code == 303 and queued.headers["location"] == CAMPAIGNS
    status = soup(await other_client.get(CAMPAIGNS)).select_one("#campaigns-job")
    assert "waiting for a worker" in status.get_text()
    assert status["data-hx-get"] == f"{CAMPAIGNS}/status" and status["data-hx-trigger"] == "every 2s"
    assert status.select_one("a")["href"] == CAMPAIGNS  # the refresh without JavaScript

    sessions = _sessionmaker(connection)
    assert await run_one(sessions, sessions, job_handlers())

    polled = await other_client.get(f"{CAMPAIGNS}/status", headers=HTMX)
    assert polled.status_code == 200 and "<html" not in polled.text
    fragment = soup(polled).select_one("#campaigns-job")
    assert "1 campaign among 35 contributions" in fragment.get_text() and not fragment.has_attr("data-hx-trigger")
    plain = await other_client.get(f"{CAMPAIGNS}/status")  # without JavaScript: a page of its own
    assert "<html" in plain.text and "1 campaign among 35" in plain.text

    listed = soup(await other_client.get(CAMPAIGNS))
    [campaign] = listed.select("ol.campaigns > li")
    assert "30 near-identical contributions" in campaign.select_one("h2").get_text()
    assert campaign.select_one(".meta a")["href"] == f"/contributions/{members[0].id}#c{members[0].id}"
    members_link = campaign.select("p > a")[-1]["href"]
    member_page = soup(await other_client.get(members_link))
    assert [li["id"] for li in member_page.select("ol.campaign-members > li")] == [f"c{m.id}" for m in members]

    after = soup(await client.get(KM))  # the stored page went stale with the campaign
    notes = after.select(".campaign-note")
    assert notes and all(note.get_text().strip() == NOTE for note in notes)
    assert NOTE in (await client.get(f"/contributions/{members[7].id}")).text
    assert "campaign" not in (await client.get(f"/contributions/{others[0].id}")).text.lower()
    moderator_view = soup(await other_client.get(f"/contributions/{members[7].id}"))
    assert moderator_view.select_one(".campaign-note a")["href"] == members_link

    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, f"/consultations/{SLUG}", "json")).content)
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [km3] = [m for m in rt2["key_messages"] if m["ref"] == "RT2-KM3"]
    by_id = {c["id"]: c for c in km3["contributions"]}
    campaign_id = int(members_link.rsplit("/", 1)[1])
    assert {by_id[m.id]["campaign_id"] for m in members} == {campaign_id}
    assert {by_id[o.id]["campaign_id"] for o in others} == {None}
    counts = km3["counts"]
    assert counts["by_position"]["support"] == 30 and counts["by_position"]["oppose"] == 5
    assert counts["by_position_counting_campaigns_once"]["support"] == 1
    assert counts["by_position_counting_campaigns_once"]["oppose"] == 5
    assert counts["total_counting_campaigns_once"] == 6
    rows = list(csv.reader(io.StringIO((await download_export(client, db, f"/consultations/{SLUG}", "csv")).text)))
    column = rows[0].index("campaign_id")
    assert {row[column] for row in rows[1:] if row[0] == str(members[3].id)} == {str(campaign_id)}


async def test_only_moderators_see_or_start_campaigns(client, db, consultation):  # type: ignore[no-untyped-def]
    for role in (Role.PARTICIPANT, Role.NEGOTIATOR):
        person = await make_user(db, role=role)
        await db.commit()
        await sign_in(client, person.email, PASSWORD)
        assert (await client.get(CAMPAIGNS)).status_code == 403
        assert (await client.get(f"{CAMPAIGNS}/status", headers=HTMX)).status_code == 403
        assert (await post_form(client, f"{CAMPAIGNS}/recompute", {})).status_code == 403
        await post_form(client, "/sign-out", {})
    anonymous = await post_form(client, f"{CAMPAIGNS}/recompute", {})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")


async def test_campaign_pages_refuse_what_does_not_exist(client, db):  # type: ignore[no-untyped-def]
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    assert (await client.get("/consultations/no-such-thing/campaigns")).status_code == 404
    assert (await client.get("/moderation/campaigns/999999")).status_code == 404
    assert (await client.get("/moderation/campaigns/99999999999999999999")).status_code == 404
    for hostile in ("abc", "1.2.3", "\x00", "9" * 500):
        assert (await client.get(CAMPAIGNS, params={"after": hostile})).status_code == 200


async def test_the_status_shows_progress_while_running_and_why_it_failed(client, db, consultation):  # type: ignore[no-untyped-def]
    from app.db import utcnow
    from app.discussion.campaigns import request_recomputation
    from app.jobs.models import JobStatus

    moderator = await make_user(db, role=Role.MODERATOR)
    job = await request_recomputation(db, consultation.id, moderator.id)
    job.status, job.progress, job.started_at = JobStatus.RUNNING, 40, utcnow()
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    running = soup(await client.get(f"{CAMPAIGNS}/status", headers=HTMX)).select_one("#campaigns-job")
    assert "40 percent done" in running.get_text() and running.select_one("progress")["value"] == "40"
    assert running["data-hx-trigger"] == "every 2s"

    job.status, job.finished_at, job.error = JobStatus.FAILED, utcnow(), "ValueError: <script>alert(1)</script>"
    await db.commit()
    failed = await client.get(CAMPAIGNS)
    status = soup(failed).select_one("#campaigns-job")
    assert "failed" in status.get_text() and "<script>alert(1)</script>" in status.get_text()
    assert "<script>alert(1)" not in failed.text  # escaped
    assert not status.has_attr("data-hx-trigger")
