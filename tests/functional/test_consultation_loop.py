"""The whole slice, end to end over HTTP: sign up → confirm the email address by the link a
real SMTP server received → position on RT2-KM3 → reply →
a moderator hides the reply → a negotiator exports, and the export holds exactly what is visible."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest

from app.export.cli import export_from_cli
from app.security.roles import Role
from tests.factories import PASSWORD, make_user
from tests.mail_server import MailServer, sending_to, smtp_server
from tests.support import download_export, post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def sign_up(client, *, name: str, email: str, org_name: str, org_type: str, country: str):
    response = await post_form(
        client,
        "/sign-up",
        {
            "display_name": name,
            "email": email,
            "password": "a long enough password",
            "organisation_id": "",
            "org_name": org_name,
            "org_type": org_type,
            "org_country": country,
        },
    )
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    """The conftest app, sending its mail to the test SMTP server."""
    return sending_to(app, smtp_server)


async def confirm_email(client, smtp_server: MailServer, email: str) -> None:
    """Open the link from the verification mail and press the button, as a person would."""
    mail = smtp_server.to(email)[-1]  # the latest, should an earlier test have used the address
    assert mail.message["Subject"] == "Confirm your email address for Roundtable"
    [link] = [url for url in mail.links() if "/account/verify?token=" in url]
    parts = urlsplit(link)
    page = await client.get(f"{parts.path}?{parts.query}")
    token = soup(page).select_one("form[action='/account/verify'] input[name=token]")["value"]
    response = await post_form(client, "/account/verify", {"token": token})
    assert response.status_code == 303, response.text


def contribution_ids(page) -> list[int]:
    return [int(li["id"][1:]) for li in soup(page).select("li.contribution")]


async def test_sign_up_position_reply_hide_export(client, other_client, db, smtp_server):
    # A diaspora organisation signs up and takes a position.
    await sign_up(
        client,
        name="Aminata Diallo",
        email="aminata@example.org",
        org_name="Senegalese Diaspora Forum",
        org_type="diaspora",
        country="FR",
    )
    await confirm_email(client, smtp_server, "aminata@example.org")
    page = await client.get(KM)
    form = soup(page).select_one("form[action$='/contributions']")
    key = form.select_one("input[name=submission_key]")["value"]
    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "position": "support_with_amendments",
            "submission_key": key,
            "body": "We support this, and propose adding *circular migration*.",
            "amendment_text": "Circular migration and remittances must be recognised.",
        },
    )
    assert response.status_code == 303
    page = await client.get(KM)
    [position_id] = contribution_ids(page)
    text = visible_text(page)
    assert "Support with amendments" in text and "Senegalese Diaspora Forum" in text
    assert "Diaspora organisation, France" in text
    assert soup(page).select_one(f"#c{position_id} em").get_text() == "circular migration"

    # A government official replies under it.
    await sign_up(
        other_client,
        name="Jan de Vries",
        email="jan@example.org",
        org_name="Ministerie van Buitenlandse Zaken",
        org_type="government",
        country="NL",
    )
    await confirm_email(other_client, smtp_server, "jan@example.org")
    reply_page = await other_client.get(f"/contributions/{position_id}/reply")
    key = soup(reply_page).select_one("input[name=submission_key]")["value"]
    response = await post_form(
        other_client, f"/contributions/{position_id}/replies", {"body": "Which wording exactly?", "submission_key": key}
    )
    assert response.status_code == 303
    page = await client.get(KM)
    reply_id = next(i for i in contribution_ids(page) if i != position_id)
    assert soup(page).select_one(f"#c{position_id} .replies #c{reply_id}") is not None

    # A moderator hides the reply, with a reason.
    moderator = await make_user(db, role=Role.MODERATOR, email="mod@example.org", with_organisation=False)
    negotiator = await make_user(db, role=Role.NEGOTIATOR, email="neg@example.org", with_organisation=False)
    await db.commit()
    await post_form(client, "/sign-out", {})
    await sign_in(client, moderator.email, PASSWORD)
    response = await post_form(
        client, f"/contributions/{reply_id}/moderate", {"action": "hide", "reason": "Personal attack removed."}
    )
    assert response.status_code == 303
    public = await other_client.get(KM)
    hidden = soup(public).select_one(f"#c{reply_id}")
    assert "Removed by a moderator." in hidden.get_text() and "Personal attack removed." in hidden.get_text()
    assert "Which wording exactly?" not in public.text

    # The negotiator exports: JSON and CSV show what the site shows.
    await post_form(client, "/sign-out", {})
    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, "/consultations/com-2013-292", "json")).content)
    assert exported["schema_version"] == 5
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [km] = [m for m in rt2["key_messages"] if m["ref"] == "RT2-KM3"]
    [thread] = km["contributions"]
    assert thread["body"].startswith("We support this") and thread["organisation"]["type"] == "diaspora"
    [reply] = thread["replies"]
    assert reply == {**reply, "status": "hidden", "body": None, "moderation_reason": "Personal attack removed."}
    assert km["counts"]["by_position"]["support_with_amendments"] == 1
    assert km["counts"]["by_organisation_type"] == {
        "diaspora": {"support": 0, "support_with_amendments": 1, "oppose": 0, "neutral": 0}
    }
    response = await download_export(client, db, "/consultations/com-2013-292", "csv")
    # Named after the data's own time (a snapshot), which is the latest change to it.
    assert re.fullmatch(
        r'attachment; filename="roundtable-com-2013-292-\d{8}T\d{6}Z\.csv"', response.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["id"], r["status"], r["body"]) for r in rows] == [
        # Plain text: the Markdown's emphasis is gone.
        (str(position_id), "Visible", thread["body"].replace("*", "")),
        (str(reply_id), "Hidden by a moderator", ""),
    ]
    assert "Which wording exactly?" not in response.text

    # The command line gives negotiators the same files.
    from_cli = io.BytesIO()
    await export_from_cli(db, from_cli, fmt="json")
    assert json.loads(from_cli.getvalue()) == exported
    from_cli = io.BytesIO()
    await export_from_cli(db, from_cli, fmt="csv", slug="com-2013-292")
    assert from_cli.getvalue() == response.content
