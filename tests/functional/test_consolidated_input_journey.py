"""Issue 12's "done when", on both databases, over HTTP with the real worker and LibreOffice:
a negotiator filters RT2 by civil-society organisations, marks contributions reflected and
not reflected with a reason, records a revised wording, asks for the DOCX, XLSX and PDF in
the background and downloads them; LibreOffice opens each; the manifest's hashes match; two
snapshots of unchanged data are byte-identical; after closing, the public page shows what was
reflected."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import docx
import httpx

from app.cli import job_handlers
from app.db import utcnow
from app.jobs.worker import run_one
from app.organisations.models import OrganisationType
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.document_samples import opens_in_libreoffice
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup

SLUG = "com-2013-292"
REF = "RT2-KM3"
BASE = f"/consultations/{SLUG}/consolidation"
CURATE = f"{BASE}/{REF}/contributions"
FILTERS = {"roundtable": "RT2", "type": "civil_society"}


async def the_discussion(db, consultation):  # type: ignore[no-untyped-def]
    caritas = await make_organisation(db, name="Caritas Senegal", type=OrganisationType.CIVIL_SOCIETY, country="SN")
    forum = await make_organisation(db, name="Migrant Forum Asia", type=OrganisationType.CIVIL_SOCIETY, country="PH")
    ministry = await make_organisation(db, name="Ministry of Labour", type=OrganisationType.GOVERNMENT, country="GH")
    taken_up = await make_position(
        db,
        consultation,
        author=await make_user(db, organisation=caritas),
        ref=REF,
        position="support_with_amendments",
        body="Remittance costs must fall, and **diaspora** bonds help.",
        amendment_text="The partnership shall lower the cost of remittances to three percent.",
    )
    left_aside = await make_position(
        db,
        consultation,
        author=await make_user(db, organisation=forum),
        ref=REF,
        position="oppose",
        body="This key message ignores domestic workers.",
    )
    government = await make_position(
        db, consultation, author=await make_user(db, organisation=ministry), ref=REF, body="We agree."
    )
    elsewhere = await make_position(db, consultation, author=await make_user(db, organisation=caritas), ref="RT1-KM1")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    return taken_up, left_aside, government, elsewhere, negotiator


async def run_the_worker(connection) -> int:  # type: ignore[no-untyped-def]
    sessions = _sessionmaker(connection)
    ran = 0
    while await run_one(sessions, sessions, job_handlers()):
        ran += 1
    return ran


async def snapshot(client: httpx.AsyncClient, connection, fmt: str) -> tuple[bytes, dict]:  # type: ignore[no-untyped-def,type-arg]
    """Ask for the export in the background, let the worker make it, download file and manifest."""
    asked = await post_form(client, f"/consultations/{SLUG}/exports", {"format": fmt, **FILTERS})
    assert asked.status_code == 303, asked.text[:300]
    job = asked.headers["location"]
    assert await run_the_worker(connection) == 1
    ready = soup(await client.get(job)).select_one("#export-job")
    assert "Ready" in ready.get_text()
    file_url, manifest_url = (form["action"] for form in ready.select("form"))
    downloaded = await post_form(client, file_url, {})
    assert downloaded.status_code == 200 and downloaded.headers["content-disposition"].endswith(f'.{fmt}"')
    manifest = json.loads((await post_form(client, manifest_url, {})).content)
    return downloaded.content, manifest


async def test_a_negotiator_turns_rt2_s_civil_society_input_into_traceable_documents(
    client, db, connection, consultation, tmp_path: Path
) -> None:
    taken_up, left_aside, government, elsewhere, negotiator = await the_discussion(db, consultation)
    await sign_in(client, negotiator.email, PASSWORD)

    # The workspace, filtered: RT2, civil-society organisations only.
    workspace = soup(await client.get(f"{BASE}?roundtable=RT2&type=civil_society"))
    [table] = [t for t in workspace.select("table.matrix-table") if REF in t.select_one("caption").get_text()]
    rows = {row.select_one("th").get_text(strip=True): row for row in table.select("tbody tr")}
    assert list(rows) == ["Civil-society organisation"]  # the ministry's position is filtered out
    assert table.select_one("tfoot td:last-child").get_text() == "2"
    assert "three percent" in workspace.get_text()
    assert workspace.select_one(f"a[href='/consultations/{SLUG}/messages/{REF}']") is not None

    # Curation: reflected; not reflected, which needs its reason.
    curation = soup(await client.get(f"{CURATE}?type=civil_society"))
    listed = {item["id"] for item in curation.select("li.curation-item")}
    assert {f"c{taken_up.id}", f"c{left_aside.id}"} <= listed and f"c{government.id}" not in listed
    assert (
        await post_form(client, f"{CURATE}/{taken_up.id}/review", {"state": "reflected", "reason": ""})
    ).status_code == 303
    no_reason = await post_form(client, f"{CURATE}/{left_aside.id}/review", {"state": "not_reflected", "reason": ""})
    assert no_reason.status_code == 422 and f"reason-{left_aside.id}" in field_errors(no_reason)
    reason = "Domestic workers are covered by key message RT2-KM5."
    assert (
        await post_form(client, f"{CURATE}/{left_aside.id}/review", {"state": "not_reflected", "reason": reason})
    ).status_code == 303

    # A revised wording, reflecting the contribution taken up.
    wording_page = soup(await client.get(f"{BASE}/{REF}/wording"))
    original = wording_page.select_one("#field-text").get_text()
    revised = original.rstrip(".") + ", and lower the cost of remittances to three percent."
    saved = await post_form(client, f"{BASE}/{REF}/wording", {"text": revised, "contributions": str(taken_up.id)})
    assert saved.status_code == 303

    # The three documents, in the background; each opens in LibreOffice; hashes match.
    profile = tmp_path / "libreoffice-profile"
    firsts: dict[str, bytes] = {}
    for fmt in ("docx", "xlsx", "pdf"):
        content, manifest = await snapshot(client, connection, fmt)
        [described] = manifest["files"]
        assert described["sha256"] == hashlib.sha256(content).hexdigest() and described["size"] == len(content)
        assert manifest["selection"]["roundtable"] == "RT2"
        assert manifest["selection"]["stakeholder_types"] == ["civil_society"]
        path = tmp_path / f"input.{fmt}"
        path.write_bytes(content)
        opens_in_libreoffice(path, profile)
        firsts[fmt] = content
    document = "\n".join(p.text for p in docx.Document(io.BytesIO(firsts["docx"])).paragraphs)
    assert "[The partnership shall lower the cost of remittances to three percent.]" in document
    assert "Caritas Senegal" in document and "Ministry of Labour" not in document
    assert f"#{taken_up.id}" in document and f"#{left_aside.id}" in document and f"#{government.id}" not in document

    # The same data and filters: byte-identical files.
    for fmt in ("docx", "xlsx", "pdf"):
        again, _manifest = await snapshot(client, connection, fmt)
        assert again == firsts[fmt], fmt

    # Closed, and allowed to publish the outcome: the public reads what was reflected.
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    consultation.publishes_outcome = True
    await db.commit()
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as reader:
        page = await reader.get(f"/consultations/{SLUG}/what-we-heard/{REF}")
        assert page.status_code == 200
        rows = {row["id"]: row for row in soup(page).select("table.heard tbody tr")}
        assert rows[f"c{taken_up.id}"].select_one(".outcome").get_text() == "Reflected"
        assert rows[f"c{left_aside.id}"].select_one(".outcome").get_text() == "Not reflected"
        assert reason not in page.text  # reasons stay with the negotiators
        assert "three percent" in soup(page).select_one("#wording").get_text()
    assert elsewhere.id  # RT1's position was never in RT2's documents (checked by the manifest's selection)
