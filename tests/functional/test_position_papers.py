"""Position papers over HTTP: attaching a PDF when posting (multipart, CSRF token in the
form), errors that keep the form, downloads with their headers and the publication rules;
papers are kept in the database, so any instance of the site serves any paper."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import replace
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import delete, func, select

from app.discussion.models import Attachment, AttachmentChunk, Contribution, ContributionStatus
from app.main import create_app
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import field_errors, hidden_fields, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
MAX_BYTES = 50_000


@pytest.fixture
def stored(app, settings, tmp_path):
    """A var folder of its own for this test (nothing may be written there), and a small
    size limit."""
    app.state.settings = replace(settings, var_dir=tmp_path, attachment_max_bytes=MAX_BYTES)
    return tmp_path


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


async def papers_stored(db) -> int:
    """Papers with bytes in the database."""
    return await db.scalar(select(func.count(func.distinct(AttachmentChunk.attachment_id))))


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def post_with_file(client, url, data, content, name="Our position.pdf", content_type="application/pdf", **kw):
    form = {**await hidden_fields(client), "submission_key": secrets.token_hex(8), **data}
    return await client.post(url, data=form, files={"attachment": (name, content, content_type)}, **kw)


async def publish_with_paper(client, db, content=None, **data):
    response = await post_with_file(
        client, f"{KM}/contributions", {"position": "support", "body": "See our paper.", **data}, content or tiny_pdf()
    )
    assert response.status_code == 303, response.text[:1000]
    contribution_id = int(response.headers["location"].rpartition("#c")[2])
    return await db.scalar(select(Attachment).where(Attachment.contribution_id == contribution_id))


async def contribution_count(db) -> int:
    return await db.scalar(select(func.count()).select_from(Contribution))


async def test_an_organisation_attaches_a_paper_and_readers_download_it(client, other_client, db, stored):
    await signed_in(client, db)
    content = tiny_pdf(pages=2)

    attachment = await publish_with_paper(client, db, content)

    assert attachment.original_name == "Our position.pdf" and attachment.size_bytes == len(content)
    assert attachment.storage_name is None and files_in(stored) == []
    link = soup(await other_client.get(KM)).select_one(f"a[href='/attachments/{attachment.id}']")
    assert link.get_text() == "Our position.pdf"
    assert link.find_next_sibling("span").get_text() == "(position paper, PDF, 1 KB)"
    download = await other_client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Our position.pdf\"; filename*=UTF-8''Our%20position.pdf"
    )
    assert download.headers["cache-control"] == "public, no-cache"
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'


async def test_the_content_decides_whatever_the_declared_type(client, db, stored):
    await signed_in(client, db)
    response = await post_with_file(
        client,
        f"{KM}/contributions",
        {"position": "support", "body": "Typed wrongly."},
        tiny_pdf(),
        name="Положение.pdf",
        content_type="text/plain",
    )
    assert response.status_code == 303
    attachment = await db.scalar(select(Attachment).order_by(Attachment.id.desc()))
    download = await client.get(f"/attachments/{attachment.id}")
    disposition = download.headers["content-disposition"]
    assert 'filename="position-paper.pdf"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Положение.pdf"


async def test_a_text_file_named_pdf_is_refused_and_the_form_is_kept(client, db, stored):
    await signed_in(client, db)
    before = await contribution_count(db)

    response = await post_with_file(
        client, f"{KM}/contributions", {"position": "oppose", "body": "My careful text."}, b"Not a PDF at all.\n"
    )

    assert response.status_code == 422
    error = field_errors(response)["attachment"]
    assert "not a PDF" in error and "choose the file again" in error
    page = soup(response)
    assert page.select_one("textarea[name=body]").get_text() == "My careful text."
    assert page.select_one("#position-oppose").has_attr("checked")
    assert page.select_one(".error-summary a[href='#field-attachment']") is not None
    assert page.select_one("#field-attachment")["aria-invalid"] == "true"
    assert await contribution_count(db) == before and files_in(stored) == []
    assert await papers_stored(db) == 0


async def test_a_paper_on_a_personal_contribution_is_refused(client, db, stored):
    await signed_in(client, db)
    response = await post_with_file(
        client,
        f"{KM}/contributions",
        {"position": "support", "body": "Mine.", "organisation_id": "personal"},
        tiny_pdf(),
    )
    assert response.status_code == 422
    assert "on behalf of an organisation" in field_errors(response)["attachment"]
    assert await papers_stored(db) == 0


async def test_people_without_an_organisation_are_not_offered_the_field(client, db, stored):
    await signed_in(client, db, with_organisation=False)
    assert soup(await client.get(KM)).select_one("input[type=file]") is None
    await signed_in(client, db)
    field = soup(await client.get(KM)).select_one("#contribution-form input[type=file][name=attachment]")
    assert field["accept"] == ".pdf,application/pdf"


async def test_another_error_leaves_no_file_and_says_to_choose_it_again(client, db, stored):
    await signed_in(client, db)
    response = await post_with_file(client, f"{KM}/contributions", {"body": "No position chosen."}, tiny_pdf())
    assert response.status_code == 422 and set(field_errors(response)) == {"position"}
    assert "You had chosen “Our position.pdf”" in soup(response).select_one("#field-attachment-again").get_text()
    assert await papers_stored(db) == 0


async def test_too_large_a_file_is_refused(client, db, stored):
    await signed_in(client, db)
    padded = tiny_pdf() + b"%" + b"x" * MAX_BYTES
    response = await post_with_file(client, f"{KM}/contributions", {"position": "support", "body": "Big."}, padded)
    assert response.status_code == 422 and "larger than" in field_errors(response)["attachment"]
    # Far beyond any form of the site: refused before the body is read into a form at all.
    huge = await post_with_file(
        client, f"{KM}/contributions", {"position": "support", "body": "Huge."}, b"x" * (3 * 1024 * 1024)
    )
    assert huge.status_code == 413
    assert await papers_stored(db) == 0


async def test_a_reply_can_carry_a_paper_also_with_htmx(client, db, consultation, stored):
    await signed_in(client, db)
    parent = await publish_with_paper(client, db)
    response = await post_with_file(
        client,
        f"/contributions/{parent.contribution_id}/replies",
        {"body": "Our reply, with annexes."},
        tiny_pdf(),
        name="Annex.pdf",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert soup(response).select_one("ul.attachments a").get_text() == "Annex.pdf"
    assert await papers_stored(db) == 2


async def test_a_double_submission_stores_one_file(client, db, stored):
    await signed_in(client, db)
    data = {"position": "support", "body": "Twice.", "submission_key": "same-key-1234"}
    first = await post_with_file(client, f"{KM}/contributions", data, tiny_pdf())
    second = await post_with_file(client, f"{KM}/contributions", data, tiny_pdf())
    assert first.status_code == second.status_code == 303
    assert await papers_stored(db) == 1


@pytest.mark.parametrize(
    ("publication", "status", "allowed"),
    [
        ("not_for_publication", ContributionStatus.VISIBLE, {"negotiator", "moderator"}),
        ("named", ContributionStatus.HIDDEN, {"moderator"}),
        ("named", ContributionStatus.WITHDRAWN, {"moderator"}),
    ],
)
async def test_downloads_follow_the_contributions_publication_rules(
    client, other_client, db, stored, publication, status, allowed
):
    await signed_in(client, db)
    attachment = await publish_with_paper(client, db, publication=publication)
    contribution = await db.get_one(Contribution, attachment.contribution_id)
    contribution.status = status
    await db.commit()
    url = f"/attachments/{attachment.id}"

    outcomes = {"anonymous": (await other_client.get(url)).status_code, "author": (await client.get(url)).status_code}
    for role in ("participant", "negotiator", "moderator"):
        other_client.cookies.clear()
        await signed_in(other_client, db, role=Role(role))
        response = await other_client.get(url)
        outcomes[role] = response.status_code
        if response.status_code == 200:
            assert response.headers["cache-control"] == "private, no-store"

    expected = {who: 200 if who in allowed else 404 for who in outcomes}
    if status is ContributionStatus.VISIBLE:
        expected["author"] = 404  # not for publication: like the contribution's own page
    assert outcomes == expected


async def test_a_paper_whose_file_never_moved_in_or_an_unknown_one_is_404(client, db, stored, caplog):
    await signed_in(client, db)
    attachment = await publish_with_paper(client, db)
    # As a paper uploaded to another machine's disk, before papers moved into the database.
    attachment.storage_name = "0123456789abcdef0123456789abcdef"
    await db.execute(delete(AttachmentChunk).where(AttachmentChunk.attachment_id == attachment.id))
    await db.commit()
    assert (await client.get(f"/attachments/{attachment.id}")).status_code == 404
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and r.name.endswith("attachment_views")]
    assert [r.getMessage() for r in logged] == [
        f"attachment {attachment.id} (0123456789abcdef0123456789abcdef): its bytes are not in the database"
    ]
    assert (await client.get("/attachments/999999")).status_code == 404


async def test_a_browser_holding_the_paper_is_answered_304(client, other_client, db, stored):
    await signed_in(client, db)
    content = tiny_pdf()
    attachment = await publish_with_paper(client, db, content)
    url = f"/attachments/{attachment.id}"
    tag = (await other_client.get(url)).headers["etag"]

    again = await other_client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == "public, no-cache"
    other = await other_client.get(url, headers={"If-None-Match": '"0000"'})
    assert other.status_code == 200 and other.content == content
    # Permission first: a paper one may not read is 404 whatever the browser holds.
    contribution = await db.get_one(Contribution, attachment.contribution_id)
    contribution.status = ContributionStatus.HIDDEN
    await db.commit()
    assert (await other_client.get(url, headers={"If-None-Match": tag})).status_code == 404


async def test_a_paper_posted_through_one_instance_is_downloaded_from_another(settings, connection, db, tmp_path):
    """Two machines behind the proxy: the same database, each its own var folder."""
    instances = [
        create_app(replace(settings, var_dir=tmp_path / name), sessionmaker=_sessionmaker(connection))
        for name in ("a", "b")
    ]
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=instances[0]), base_url="http://testserver") as on_a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=instances[1]), base_url="http://testserver") as on_b,
    ):
        await signed_in(on_a, db)
        content = tiny_pdf(pages=2)
        attachment = await publish_with_paper(on_a, db, content)
        download = await on_b.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.content == content
    assert files_in(tmp_path) == []
