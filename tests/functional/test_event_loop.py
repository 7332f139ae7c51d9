"""Nothing a request does holds the event loop for long: real requests, from reading the main
pages to the heaviest writes at the largest inputs the site accepts, while every callback the
loop runs is timed. (The named CPU-heavy functions are also refused on the loop in every test:
tests.support.CPU_HEAVY. This test is for what nobody thought to name.)

The limit is LOOP_LIMIT_MS of CPU time per callback (tests.support.LoopWatch says why CPU
time, not the wall clock of asyncio's debug mode). What still runs on the loop by design
stays well under it: template rendering, ORM rows and redlines take up to 10 ms for these
pages; the most, 15 to 21 ms, is posting the longest body with a 10 MB paper (the CSRF
middleware parses the whole form in one go, and contribution_write.py still renders the
Markdown there). What was moved off the loop took from 15 ms (a QR code) to a tenth of a
second (Markdown made to be slow, an export's records) and to seconds or hours (argon2 at
its real cost, a diff of two long versions before its budget). So 40 ms: twice the most
measured, which tells the two apart without failing on a slower machine. Coverage tracing
makes Python code about three times slower (up to 27 ms measured), so the limit is tripled
under it. A worker's first requests pay one-off costs (templates compiled, locale data
loaded, late imports: up to a quarter of a second) that are not what this test is about:
warm_up pays them first."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from io import BytesIO

import httpx
import pyotp
import pytest
from pypdf import PdfWriter
from sqlalchemy import select

from app.discussion.amendments import MAX_AMENDMENT_CHARS
from app.discussion.models import Attachment, Contribution
from app.security.roles import Role
from app.settings import PROJECT_ROOT
from app.templating import environment
from tests.factories import PASSWORD, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import download_export, field_errors, hidden_fields, loop_watch, post_form, sign_in, soup

__all__ = ["loop_watch"]  # a fixture, imported for pytest

#: CPU milliseconds one callback may take (see the module's docstring).
LOOP_LIMIT_MS = 40 * (3 if sys.gettrace() is not None else 1)
CONSULTATION = "/consultations/com-2013-292"
KM = f"{CONSULTATION}/messages/RT2-KM3"
#: Real Dutch prose of the consultation, made into Markdown, as long as the site allows.
PROSE = " ".join((PROJECT_ROOT / "seeds" / "COM-2013-292-nl.txt").read_text().split())


def longest_body(max_chars: int) -> str:
    """Paragraphs, emphasis, links and a list: as much Markdown work as a real long text."""
    paragraphs = [PROSE[start : start + 600] for start in range(0, 40_000, 600)]
    blocks = [
        f"**{text[:40]}** {text[40:300]} [{text[300:320]}](https://example.org/{index}) *{text[320:]}*"
        if index % 3
        else f"- {text[:200]}\n- {text[200:400]}\n- {text[400:]}"
        for index, text in enumerate(paragraphs)
    ]
    return "\n\n".join(blocks)[:max_chars].rstrip()


def paper_of(size: int) -> bytes:
    """A valid PDF of about `size` bytes (an embedded file makes up the weight)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("annex.bin", secrets.token_bytes(size - 2_000))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
async def reader(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """Someone reading without signing in."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def warm_up(db, author: httpx.AsyncClient, reader: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    """What a worker does on its first requests and never again: compile the templates, load
    locale data (Babel's language names take a tenth of a second), import modules used late.
    A small paper posted and downloaded, on another key message, takes the same paths."""
    for name in environment.list_templates():
        environment.get_template(name)
    form = {**await hidden_fields(author), "submission_key": secrets.token_hex(8)}
    posted = await author.post(
        f"{CONSULTATION}/messages/RT1-KM1/contributions",
        data={**form, "position": "support", "body": "**Warm** [up](https://example.org)."},
        files={"attachment": ("warm.pdf", tiny_pdf(), "application/pdf")},
    )
    assert posted.status_code == 303, field_errors(posted)
    attachment = await db.scalar(select(Attachment).order_by(Attachment.id.desc()).limit(1))
    assert (await reader.get(f"/attachments/{attachment.id}")).status_code == 200
    for client in (author, reader):
        assert (await client.get(KM)).status_code == 200


async def test_no_request_holds_the_event_loop(client, other_client, reader, db, settings, app, tmp_path, loop_watch):
    app.state.settings = settings = replace(settings, var_dir=tmp_path)  # the paper's own folder
    author = await make_user(db)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    newcomer = await make_user(db)
    await db.commit()
    body = longest_body(settings.contribution_max_chars)
    wording = (PROSE[:MAX_AMENDMENT_CHARS]).rsplit(" ", 1)[0]
    paper = paper_of(settings.attachment_max_bytes)
    await sign_in(client, author.email, PASSWORD)
    await warm_up(db, client, reader)
    watch = loop_watch.watching

    for path in ("/", CONSULTATION, f"{CONSULTATION}/roundtables/RT2", KM, f"{CONSULTATION}/topics", "/sign-in"):
        async with watch(f"GET {path}"):
            assert (await reader.get(path)).status_code == 200

    form = {
        **await hidden_fields(client),
        "submission_key": secrets.token_hex(8),
        "position": "support_with_amendments",
        "body": body,
        "amendment_text": wording,
    }
    async with watch("post the longest position with the largest paper"):
        posted = await client.post(
            f"{KM}/contributions", data=form, files={"attachment": ("Our paper.pdf", paper, "application/pdf")}
        )
    assert posted.status_code == 303, field_errors(posted)
    position = await db.get(Contribution, int(posted.headers["location"].rpartition("#c")[2]))
    assert position is not None and len(position.body_source) == len(body)
    attachment = await db.scalar(select(Attachment).where(Attachment.contribution_id == position.id))
    assert attachment is not None and attachment.size_bytes == len(paper)

    for who, browser in (("anonymous", reader), ("author", client)):
        async with watch(f"GET the key message afresh ({who})"):
            page = await browser.get(KM)
        assert soup(page).select_one(f"#c{position.id} .redline del") is not None
    for label, path in (
        ("GET the amendments", f"{KM}/amendments"),
        ("GET the thread", f"/contributions/{position.id}"),
        ("GET the feed", f"{KM}/feed.atom"),
        ("download the paper", f"/attachments/{attachment.id}"),
    ):
        async with watch(label):
            assert (await reader.get(path)).status_code == 200

    async with watch("edit: open the form"):
        edit_form = soup(await client.get(f"/contributions/{position.id}/edit"))
    edit = {
        "position": "support_with_amendments",
        "language": "en",
        "version": edit_form.select_one("input[name=version]")["value"],
        # Every word moved: the most a diff of the longest body can have to do.
        "body": " ".join(reversed(body.split(" "))),
        "amendment_text": wording.replace(" de ", " te "),
    }
    async with watch("edit the whole body and wording"):
        edited = await post_form(client, f"/contributions/{position.id}/edit", edit)
    assert edited.status_code == 303, field_errors(edited)
    async with watch("GET the history"):
        history = await reader.get(f"/contributions/{position.id}/history")
    assert len(soup(history).select("li.version")) == 2
    async with watch("download one's personal data"):
        assert (await post_form(client, "/account/data", {})).status_code == 200

    async with watch("sign in"):
        await sign_in(other_client, newcomer.email, PASSWORD)
    async with watch("two-factor: the set-up page with its QR code"):
        setup = await other_client.get("/account/two-factor")
    assert soup(setup).select_one("svg") is not None
    secret = "".join(soup(setup).select_one("code").get_text().split())
    async with watch("two-factor: confirm, ten recovery codes hashed"):
        confirmed = await post_form(other_client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, field_errors(confirmed)

    async with watch("sign in with a second factor"):
        await sign_in(client, negotiator.email, PASSWORD)
    for fmt in ("json", "csv"):
        async with watch(f"export {fmt}"):
            exported = await download_export(client, db, f"{CONSULTATION}", fmt)
        assert exported.status_code == 200 and len(exported.content) > len(body)  # the longest body is in it

    assert loop_watch.over(LOOP_LIMIT_MS) == {}


#: Text written to be slow: markdown-it's link parser on unclosed brackets (a tenth of a second
#: for the longest body), and a wording difflib would need minutes to compare.
SLOW_MARKDOWN = "[" * 10_000
SLOW_WORDING = "a b c d " * 600


async def post_position(client: httpx.AsyncClient, body: str, wording: str) -> int:
    form = {"position": "support_with_amendments", "body": body, "amendment_text": wording}
    posted = await post_form(client, f"{KM}/contributions", {**form, "submission_key": secrets.token_hex(8)})
    assert posted.status_code == 303, field_errors(posted)
    return int(posted.headers["location"].rpartition("#c")[2])


async def test_text_made_to_be_slow_is_handled_off_the_loop(client, reader, db, loop_watch):
    author = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    await warm_up(db, client, reader)
    contribution_id = await post_position(client, "An ordinary text.", "An ordinary proposal.")
    edit_form = soup(await client.get(f"/contributions/{contribution_id}/edit"))
    version = edit_form.select_one("input[name=version]")["value"]
    edit = {"position": "support_with_amendments", "language": "en", "version": version}

    async with loop_watch.watching("edit to text made to be slow"):
        edited = await post_form(
            client,
            f"/contributions/{contribution_id}/edit",
            {**edit, "body": SLOW_MARKDOWN, "amendment_text": SLOW_WORDING},
        )
    assert edited.status_code == 303, field_errors(edited)
    for label, path in (("its history", f"/contributions/{contribution_id}/history"), ("its redline", KM)):
        async with loop_watch.watching(label):
            assert (await reader.get(path)).status_code == 200
    assert loop_watch.over(LOOP_LIMIT_MS) == {}


async def test_posting_text_made_to_be_slow_does_not_hold_the_loop(client, reader, db, loop_watch):
    author = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    await warm_up(db, client, reader)
    async with loop_watch.watching("post text made to be slow"):
        await post_position(client, SLOW_MARKDOWN, SLOW_WORDING)
    assert loop_watch.over(LOOP_LIMIT_MS) == {}
