"""Curating, not only policing (issue 11): a moderator pins highlights of a key message and
summarises a long thread; anonymous readers see both, first, on pages stored before; the
export carries them; participants cannot; two moderators editing a summary at once never
overwrite each other silently."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
from sqlalchemy import func, select

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.fragments import RenderedFragment
from app.main import create_app
from app.moderation.models import Highlight, ModerationAction, ModerationLogEntry, ThreadMerge, ThreadSummaryVersion
from app.moderation.services import set_visibility
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import download_export, field_errors, post_form, sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


def anonymous(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")


async def a_thread(db, consultation):
    author = await make_user(db, name="Awa Author")
    root = await make_position(db, consultation, author=author, body="Remittances fund **schools** in villages.")
    reply = await make_reply(db, author=await make_user(db, name="Rui Replier"), parent=root, body="And clinics too.")
    moderator = await make_user(db, role=Role.MODERATOR, name="Mo Secret-Moderator")
    await db.commit()
    return root, reply, moderator


async def test_a_moderator_pins_a_highlight_and_summarises_a_thread_for_every_reader(
    client, other_client, db, consultation
):
    root, reply, moderator = await a_thread(db, consultation)
    reader = anonymous(client)
    before = await reader.get(KM)  # the page is stored (fragments, validators) before the pin
    assert before.status_code == 200 and soup(before).select_one("#highlights") is None
    stored = (await db.scalars(select(RenderedFragment.key).where(RenderedFragment.key.startswith("km:")))).all()
    assert {key.rsplit(":", 1)[1] for key in stored} == {"threads", "tally", "amendments", "text"}
    assert (await reader.get(KM, headers={"If-None-Match": before.headers["etag"]})).status_code == 304

    await sign_in(other_client, moderator.email, PASSWORD)
    form = await other_client.get(f"/contributions/{reply.id}/highlight")
    assert form.status_code == 200 and "And clinics too." in form.text
    pinned = await post_form(
        other_client, f"/contributions/{reply.id}/highlight", {"reason": "Names what the money is also for."}
    )
    assert pinned.status_code == 303 and pinned.headers["location"] == f"{KM}#highlights"

    # The next read, conditional or not, shows the highlight first, before the positions.
    again = await reader.get(KM, headers={"If-None-Match": before.headers["etag"]})
    assert again.status_code == 200
    page = soup(again)
    section = page.select_one("#highlights")
    assert section.find("h2").get_text(strip=True) == "Chosen by the moderators"
    assert "And clinics too." in section.get_text() and "Names what the money is also for." in section.get_text()
    link = section.select_one(f"#highlight-{reply.id} a")["href"]
    assert link == f"/contributions/{root.id}#c{reply.id}"
    sections = [s.get("id") for s in page.select("section[id]")]
    assert sections.index("highlights") < sections.index("positions")
    assert "Unpin" not in section.get_text() and "Mo Secret-Moderator" not in again.text

    summary_path = f"/contributions/{root.id}/summary"
    thread_before = await reader.get(f"/contributions/{root.id}")  # its articles stored, its validators given
    assert soup(thread_before).select_one("#summary") is None
    opened = await other_client.get(summary_path)
    assert opened.status_code == 200
    assert soup(opened).select_one("input[name=version]")["value"] == "0"
    saved = await post_form(
        other_client, summary_path, {"body": "Two uses: *schools* and clinics. <script>x</script>", "version": "0"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/contributions/{root.id}#summary"
    thread = await reader.get(f"/contributions/{root.id}", headers={"If-None-Match": thread_before.headers["etag"]})
    assert thread.status_code == 200
    summary = soup(thread).select_one("#summary")
    assert summary.select_one(".body em").get_text() == "schools"
    assert summary.select_one("script") is None and "By the moderation team" in summary.get_text()
    assert "Mo Secret-Moderator" not in thread.text and "edited" not in summary.get_text()

    # An edit: the public sees "edited" and the earlier version, never who wrote it.
    await post_form(other_client, summary_path, {"body": "Schools, clinics and wells.", "version": "1"})
    summary = soup(await reader.get(f"/contributions/{root.id}")).select_one("#summary")
    assert "Schools, clinics and wells." in summary.get_text()
    history = await reader.get(summary.select_one("a.edited")["href"])
    assert history.status_code == 200
    assert [v.get("id") for v in soup(history).select("li.version")] == ["v2", "v1"]
    assert "schools" in visible_text(history) and "Mo Secret-Moderator" not in history.text
    assert "Mo Secret-Moderator" in (await other_client.get(f"/contributions/{root.id}/summary/history")).text

    actions = (
        await db.scalars(select(ModerationLogEntry.action).where(ModerationLogEntry.contribution_id == reply.id))
    ).all()
    assert actions == [ModerationAction.PIN]


async def test_highlights_and_summaries_are_exported_with_their_key_message(client, db, consultation):
    root, reply, moderator = await a_thread(db, consultation)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    await post_form(client, f"/contributions/{reply.id}/highlight", {"reason": "Clinics matter as much."})
    await post_form(client, f"/contributions/{root.id}/summary", {"body": "Schools and clinics.", "version": "0"})

    async with anonymous(client) as negotiating:
        await sign_in(negotiating, negotiator.email, PASSWORD)
        exported = json.loads(
            (await download_export(negotiating, db, f"/consultations/{consultation.slug}", "json")).content
        )
        table = (await download_export(negotiating, db, f"/consultations/{consultation.slug}", "csv")).content.decode(
            "utf-8-sig"
        )
    [message] = [m for s in exported["roundtables"] for m in s["key_messages"] if m["ref"] == "RT2-KM3"]
    assert message["highlights"] == [
        {
            "contribution_id": reply.id,
            "reason": "Clinics matter as much.",
            "pinned_at": message["highlights"][0]["pinned_at"],
        }
    ]
    [summary] = message["summaries"]
    assert summary["thread_id"] == root.id and summary["summary"] == "Schools and clinics." and summary["version"] == 1
    assert "Mo" not in json.dumps(summary)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(table))}
    assert rows[str(reply.id)]["highlight_reason"] == "Clinics matter as much."
    assert rows[str(root.id)]["thread_summary"] == "Schools and clinics."
    assert rows[str(root.id)]["highlight_reason"] == "" and rows[str(reply.id)]["thread_summary"] == ""


async def test_a_participant_can_neither_pin_nor_summarise(client, db, consultation):
    root, reply, _moderator = await a_thread(db, consultation)
    participant = await make_user(db)
    await db.commit()
    await sign_in(client, participant.email, PASSWORD)
    assert (await client.get(f"/contributions/{reply.id}/highlight")).status_code == 403
    assert (
        await post_form(client, f"/contributions/{reply.id}/highlight", {"reason": "I like it a lot."})
    ).status_code == 403
    summary = await post_form(client, f"/contributions/{root.id}/summary", {"body": "Mine.", "version": "0"})
    assert summary.status_code == 403
    page = await client.get(KM)
    assert soup(page).select_one("#highlights") is None
    assert "Summarise this thread" not in (await client.get(f"/contributions/{root.id}")).text


async def test_two_moderators_editing_a_summary_at_once_never_overwrite_silently(
    client, other_client, db, consultation
):
    root, _reply, first = await a_thread(db, consultation)
    second = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, first.email, PASSWORD)
    await sign_in(other_client, second.email, PASSWORD)
    path = f"/contributions/{root.id}/summary"
    # Both open the empty form (version 0); the first saves, then the second.
    assert soup(await client.get(path)).select_one("input[name=version]")["value"] == "0"
    assert soup(await other_client.get(path)).select_one("input[name=version]")["value"] == "0"
    assert (await post_form(client, path, {"body": "The first moderator's words.", "version": "0"})).status_code == 303
    clash = await post_form(other_client, path, {"body": "The second moderator's words.", "version": "0"})
    assert clash.status_code == 409
    page = soup(clash)
    assert "body" in field_errors(clash)
    assert page.select_one("#field-body").get_text() == "The second moderator's words."  # their text kept
    assert "The first moderator's words." in page.select_one("#current-summary").get_text()  # the current one shown
    assert page.select_one("input[name=version]")["value"] == "1"
    thread = visible_text(await anonymous(client).get(f"/contributions/{root.id}"))
    assert "The first moderator's words." in thread and "second moderator" not in thread

    # The same clash on an edit; then saving again, knowingly, replaces it.
    await post_form(client, path, {"body": "Version two.", "version": "1"})
    late = await post_form(other_client, path, {"body": "Merged words.", "version": "1"})
    assert late.status_code == 409 and soup(late).select_one("input[name=version]")["value"] == "2"
    assert (await post_form(other_client, path, {"body": "Merged words.", "version": "2"})).status_code == 303
    versions = (await db.scalars(select(ThreadSummaryVersion.body_source).order_by(ThreadSummaryVersion.version))).all()
    assert versions == ["The first moderator's words.", "Version two.", "Merged words."]


async def test_a_hidden_contribution_cannot_be_pinned_and_a_pinned_one_stops_showing_once_hidden(
    client, other_client, db, consultation
):
    root, reply, moderator = await a_thread(db, consultation)
    await sign_in(other_client, moderator.email, PASSWORD)
    await post_form(other_client, f"/contributions/{reply.id}/highlight", {"reason": "Clinics, not only schools."})
    reader = anonymous(client)
    assert soup(await reader.get(KM)).select_one(f"#highlight-{reply.id}") is not None
    await set_visibility(
        db, moderator=moderator, contribution=reply, action=ModerationAction.HIDE, reason="Personal data in it."
    )
    await set_visibility(
        db, moderator=moderator, contribution=root, action=ModerationAction.HIDE, reason="Spam, sadly."
    )
    await db.commit()
    assert soup(await reader.get(KM)).select_one("#highlights") is None
    refused = await post_form(other_client, f"/contributions/{root.id}/highlight", {"reason": "Try to pin it."})
    assert refused.status_code == 422 and "cannot be a highlight" in visible_text(refused)
    assert await db.scalar(select(Highlight.id).where(Highlight.contribution_id == root.id)) is None


async def test_hostile_input_is_refused_next_to_its_field(client, db, consultation):
    root, reply, moderator = await a_thread(db, consultation)
    await sign_in(client, moderator.email, PASSWORD)
    path = f"/contributions/{root.id}/summary"
    for data in (
        {"body": "x" * 5000, "version": "0"},
        {"body": "   \x00\x01  ", "version": "0"},
        {"body": "Fine words.", "version": "not a number"},
        {"body": "Fine words.", "version": "-1"},
        {"body": "Fine words.", "version": "99999999999999999999"},
    ):
        refused = await post_form(client, path, data)
        assert refused.status_code == 422 and "body" in field_errors(refused), data
    assert (await post_form(client, path, {"body": "Control\x07 characters go.", "version": "0"})).status_code == 303
    short = await post_form(client, f"/contributions/{reply.id}/highlight", {"reason": "no"})
    assert short.status_code == 422 and "reason" in field_errors(short)
    # A reply has no summary of its own.
    assert (await client.get(f"/contributions/{reply.id}/summary")).status_code == 404
    assert (await client.get(f"/contributions/{reply.id}/summary/history")).status_code == 404


async def test_two_moderators_at_once_on_their_own_connections(own_database, settings):
    """Each request on its own connection, so the writes really meet: two first versions of a
    summary (one saved, one refused with the other's text), two pins of one contribution and
    two merges of one thread (each: one row, one log entry)."""
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, "com-2013-292")
            root, reply, first = await a_thread(db, consultation)
            second = await make_user(db, role=Role.MODERATOR)
            duplicate = await make_position(db, consultation, author=await make_user(db), body="Asked again.")
            emails = [first.email, second.email]
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            clients = []
            for email in emails:
                moderator = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                clients.append(await stack.enter_async_context(moderator))
                await sign_in(clients[-1], email, PASSWORD)
            path = f"/contributions/{root.id}/summary"
            saved = await asyncio.gather(
                *(post_form(c, path, {"body": f"Summary {n}.", "version": "0"}) for n, c in enumerate(clients))
            )
            pinned = await asyncio.gather(
                *(post_form(c, f"/contributions/{reply.id}/highlight", {"reason": "Both chose it."}) for c in clients)
            )
            merge = {"into": str(root.id), "reason": "The same question."}
            merged = await asyncio.gather(
                *(post_form(c, f"/contributions/{duplicate.id}/merge", merge) for c in clients)
            )
        assert sorted(r.status_code for r in saved) == [303, 409]
        assert [r.status_code for r in merged] == [303, 303]
        assert [r.status_code for r in pinned] == [303, 303]
        async with make_sessionmaker(engine)() as db:
            assert (await db.scalars(select(ThreadSummaryVersion.version))).all() == [1]
            assert await db.scalar(select(func.count()).select_from(Highlight)) == 1
            log = (await db.scalars(select(ModerationLogEntry.action).order_by(ModerationLogEntry.id))).all()
            assert log == [ModerationAction.PIN, ModerationAction.MERGE]
            assert await db.scalar(select(func.count()).select_from(ThreadMerge)) == 1
    finally:
        await engine.dispose()
