"""Background exports over HTTP (issue 12): a negotiator chooses a format and a selection, the
request queues one job however often it is sent, the job's page shows its progress (a
fragment htmx polls, a page that reloads itself without JavaScript), the worker makes the
file, and only the person who asked downloads it and its manifest, audited, until it expires."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.audit.services import EXPORT_DOWNLOAD
from app.cli import job_handlers
from app.db import utcnow
from app.export import registry
from app.export.models import ExportFile
from app.jobs.models import Job, JobStatus
from app.jobs.worker import run_one
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import post_form, sign_in, soup, visible_text
from tests.unit.export.test_background_exports import _failing_format

SLUG = "com-2013-292"
EXPORT = f"/consultations/{SLUG}/export"
EXPORTS = f"/consultations/{SLUG}/exports"
HTMX = {"HX-Request": "true"}


async def _signed_in_negotiator(client, db):  # type: ignore[no-untyped-def]
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    return negotiator


async def _run_worker(connection) -> bool:  # type: ignore[no-untyped-def]
    sessions = _sessionmaker(connection)
    return await run_one(sessions, sessions, job_handlers())


async def test_ask_follow_and_download_an_export_with_its_manifest(client, db, connection, consultation) -> None:  # type: ignore[no-untyped-def]
    ngo = await make_organisation(db)
    wanted = await make_position(db, consultation, author=await make_user(db, organisation=ngo), ref="RT2-KM3")
    await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
    negotiator = await _signed_in_negotiator(client, db)

    page = soup(await client.get(f"{EXPORT}?roundtable=RT2"))
    assert page.select_one("#field-roundtable option[selected]")["value"] == "RT2"  # a link keeps its filters
    assert "not asked for an export" in page.get_text()

    asked = [await post_form(client, EXPORTS, {"format": "csv", "roundtable": "RT2"}) for _ in range(2)]
    assert [r.status_code for r in asked] == [303, 303]
    job_url = asked[0].headers["location"]
    assert asked[1].headers["location"] == job_url  # a double click queues one job
    assert await db.scalar(select(Job.id).where(Job.kind == "export").order_by(Job.id.desc())) == int(
        job_url.rsplit("/", 1)[1]
    )

    waiting = await client.get(job_url)
    status = soup(waiting).select_one("#export-job")
    assert "Waiting for a worker" in status.get_text() and status.select_one("progress") is not None
    assert status["data-hx-get"] == job_url and status["data-hx-trigger"] == "every 2s"
    assert status.select_one("label")["for"] == status.select_one("progress")["id"]
    refresh = soup(waiting).select_one("head noscript meta[http-equiv=refresh]")
    assert refresh is not None and refresh["content"] == "3"  # without JavaScript the page reloads itself
    fragment = await client.get(job_url, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="export-job"' in fragment.text

    assert await _run_worker(connection)

    done = await client.get(job_url)
    assert soup(done).select_one("head meta[http-equiv=refresh]") is None
    ready = soup(done).select_one("#export-job")
    assert not ready.has_attr("data-hx-trigger") and "Ready" in ready.get_text()
    file_url, manifest_url = (form["action"] for form in ready.select("form"))
    downloaded = await post_form(client, file_url, {})
    assert downloaded.status_code == 200 and downloaded.headers["cache-control"].endswith("no-store")
    disposition = downloaded.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="roundtable-com-2013-292-RT2-') and disposition.endswith(
        '.csv"'
    )
    rows = list(csv.reader(io.StringIO(downloaded.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(wanted.id)]

    manifest_response = await post_form(client, manifest_url, {})
    assert manifest_response.status_code == 200 and manifest_response.headers["cache-control"].endswith("no-store")
    assert manifest_response.headers["content-disposition"].endswith('.manifest.json"')
    manifest = json.loads(manifest_response.content)
    [described] = manifest["files"]
    assert described["sha256"] == hashlib.sha256(downloaded.content).hexdigest()
    assert described["size"] == len(downloaded.content) and disposition.endswith(f'filename="{described["name"]}"')
    assert manifest["selection"]["roundtable"] == "RT2" and manifest["counts"]["contributions"] == 1
    assert list(manifest) == sorted(manifest)  # sorted keys: the same manifest is the same bytes

    events = list(await db.scalars(select(AuditEvent).where(AuditEvent.tag == EXPORT_DOWNLOAD)))
    assert [(e.actor_id, e.details["what"]) for e in events] == [(negotiator.id, "file"), (negotiator.id, "manifest")]
    listed = soup(await client.get(EXPORT)).select("table.exports tbody tr")
    assert len(listed) == 1 and "Ready" in listed[0].get_text() and "RT2" in listed[0].get_text()
    assert [td.get_text() for td in listed[0].select("td")][1:] == ["CSV", "RT2", "Ready"]
    personal = json.loads((await post_form(client, "/account/data", {})).content)
    assert [(e["consultation"], e["format"]) for e in personal["exports_you_made"]] == [(SLUG, "csv")]
    assert personal["audit_events"][-1]["tag"] == EXPORT_DOWNLOAD


async def _done_export(client, db, connection) -> str:  # type: ignore[no-untyped-def]
    response = await post_form(client, EXPORTS, {"format": "json"})
    assert response.status_code == 303
    assert await _run_worker(connection)
    return response.headers["location"]


async def test_only_the_person_who_asked_reaches_the_export(client, other_client, db, connection) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    job_url = await _done_export(client, db, connection)
    other = await _signed_in_negotiator(other_client, db)
    assert (await other_client.get(job_url)).status_code == 404
    assert (await other_client.get(job_url, headers=HTMX)).status_code == 404
    for url in (f"{job_url}/file", f"{job_url}/manifest.json"):
        refused = await post_form(other_client, url, {})
        assert refused.status_code == 404 and "roundtable-" not in refused.text
    assert soup(await other_client.get(EXPORT)).select_one("table.exports") is None  # not in their list
    assert (
        await db.scalar(select(AuditEvent.id).where(AuditEvent.actor_id == other.id, AuditEvent.tag == EXPORT_DOWNLOAD))
        is None
    )
    # Another consultation's path to the same job is not found either.
    assert (await client.get(job_url.replace(SLUG, "no-such-consultation"))).status_code == 404
    assert (await client.get(f"{EXPORTS}/999999")).status_code == 404


async def test_participants_and_readers_who_are_not_signed_in_are_refused(client, other_client, db, connection) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    job_url = await _done_export(client, db, connection)
    participant = await make_user(db)
    await db.commit()
    anonymous = await other_client.get(job_url)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    await sign_in(other_client, participant.email, PASSWORD)
    assert (await other_client.get(job_url)).status_code == 403
    assert (await post_form(other_client, f"{job_url}/file", {})).status_code == 403
    assert (await post_form(other_client, EXPORTS, {"format": "csv"})).status_code == 403
    assert await db.scalar(select(Job.id).where(Job.requested_by_id == participant.id)) is None


async def test_an_expired_export_is_gone_with_a_way_to_make_it_again(client, db, connection) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    job_url = await _done_export(client, db, connection)
    await db.execute(update(ExportFile).values(expires_at=utcnow() - timedelta(seconds=1)))
    await db.commit()
    for url in (f"{job_url}/file", f"{job_url}/manifest.json"):
        gone = await post_form(client, url, {})
        assert gone.status_code == 410 and "content-disposition" not in gone.headers
        assert "This export has expired" in visible_text(gone)
        again = soup(gone).select_one("main form")
        assert again["action"] == EXPORTS and again.select_one("input[name=format]")["value"] == "json"
    assert "expired" in soup(await client.get(job_url)).select_one("#export-job").get_text()
    remade = await post_form(client, EXPORTS, {"format": "json"})
    assert remade.status_code == 303 and remade.headers["location"] != job_url


async def test_a_failed_export_says_why_and_offers_to_try_again(client, db, connection, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    monkeypatch.setitem(registry.FORMATS, "csv", _failing_format())
    asked = await post_form(
        client, EXPORTS, {"format": "csv", "roundtable": "RT2", "type": ["civil_society", "academia_research"]}
    )
    job_url = asked.headers["location"]
    assert await _run_worker(connection)
    status = soup(await client.get(job_url)).select_one("#export-job")
    assert "failed" in status.get_text() and "the disk is full" in status.get_text()
    assert not status.has_attr("data-hx-trigger")
    form = status.select_one("form")
    assert form["action"] == EXPORTS and form.select_one("button").get_text() == "Try again"
    hidden = [(i["name"], i["value"]) for i in form.select("input[type=hidden]") if i["name"] != "csrf_token"]
    assert hidden == [
        ("format", "csv"),
        ("roundtable", "RT2"),
        ("type", "academia_research"),
        ("type", "civil_society"),
    ]
    assert (await post_form(client, f"{job_url}/file", {})).status_code == 404  # no file to download
    listed = soup(await client.get(EXPORT)).select_one("table.exports tbody tr")
    assert [td.get_text() for td in listed.select("td")][1:] == [
        "CSV",
        "RT2; Academia or research; Civil-society organisation",
        "Failed",
    ]
    again = await post_form(client, EXPORTS, dict(hidden[:2]) | {"type": ["academia_research", "civil_society"]})
    assert again.status_code == 303 and again.headers["location"] != job_url


async def test_mistakes_are_shown_beside_their_fields_with_what_was_typed(client, db) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    refused = await post_form(
        client,
        EXPORTS,
        {"format": "exe\x00", "roundtable": "RT9", "since": "1st of\x07 May", "type": "spies", "position": "9" * 400},
    )
    assert refused.status_code == 422
    page = soup(refused)
    summary = page.select_one(".error-summary")
    assert {a["href"] for a in summary.select("a")} == {
        "#field-format",
        "#field-roundtable",
        "#field-since",
        "#field-type",
        "#field-position",
    }
    assert page.select_one("#field-since")["value"] == "1st of May"  # kept, without the control character
    assert await db.scalar(select(Job.id).where(Job.kind == "export")) is None


async def test_a_running_export_shows_how_far_it_is_and_keeps_asking(client, db) -> None:  # type: ignore[no-untyped-def]
    await _signed_in_negotiator(client, db)
    job_url = (await post_form(client, EXPORTS, {"format": "csv"})).headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    await db.execute(
        update(Job).where(Job.id == job_id).values(status=JobStatus.RUNNING, progress=40, heartbeat_at=utcnow())
    )
    await db.commit()
    fragment = soup(await client.get(job_url, headers=HTMX)).select_one("#export-job")
    progress = fragment.select_one("progress")
    assert progress["value"] == "40" and progress["max"] == "100"
    assert "40 percent done" in fragment.select_one(f"label[for={progress['id']}]").get_text()
    assert fragment["data-hx-trigger"] == "every 2s"
    assert "40% done" in soup(await client.get(EXPORT)).select_one("table.exports tbody tr").get_text()
