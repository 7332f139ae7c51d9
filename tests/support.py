"""Helpers for driving the app as a person would: read pages with a real HTML parser."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup, Tag
from docx.document import Document as DocxDocument
from openpyxl.writer.excel import ExcelWriter
from pypdf import PdfReader
from qrcode.main import QRCode
from weasyprint import HTML

from app.consolidation import amendments as consolidation_amendments
from app.discussion import edit_history, near_duplicates
from app.export import builders, csv_export
from app.export.documents import loader
from app.security.csrf import COOKIE_NAME
from app.security.form_stamps import HONEYPOT_FIELD, STAMP_FIELD, issue_stamp
from tests.factories import totp_secret_for


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(element: Tag) -> str:
    """The words as a reader sees them: blocks and cells apart, spaces collapsed; an isolated
    name (<bdi>, inline) adds no space before the punctuation after it."""
    for isolation in element.select("bdi"):
        isolation.unwrap()
    element.smooth()  # the name and the words around it become one string again
    return " ".join(element.get_text(" ").split())


def visible_text(response: httpx.Response) -> str:
    return text_of(soup(response))


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The token a form on the site would carry (the cookie is set on the first visit)."""
    if COOKIE_NAME not in client.cookies:
        await client.get("/sign-in")
    return client.cookies[COOKIE_NAME]


#: The SECRET_KEY of the test settings (tests/conftest.py); tests/live.py's site has LIVE_SECRET_KEY.
TEST_SECRET_KEY = "test-secret-key-not-for-production"
LIVE_SECRET_KEY = "test-only"


def form_guard_fields(token: str, *, secret: str = TEST_SECRET_KEY, now: int | None = None) -> dict[str, str]:
    """What a page's form carries against bots (app.security.form_stamps), for the browser
    holding `token`: a stamp of now (or `now`, Unix seconds) and the honeypot left empty."""
    return {STAMP_FIELD: issue_stamp(secret, token, now=now), HONEYPOT_FIELD: ""}


async def hidden_fields(client: httpx.AsyncClient) -> dict[str, str]:
    """What the site's forms carry besides what a person types: the CSRF token, the anti-bot
    stamp and the empty honeypot (the test settings have no minimum fill time)."""
    token = await csrf_token(client)
    return {"csrf_token": token, **form_guard_fields(token)}


async def post_form(client: httpx.AsyncClient, url: str, data: dict[str, str], **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Post as the site's form would; `data` may override the hidden fields."""
    return await client.post(url, data={**await hidden_fields(client), **data}, **kwargs)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, *, totp_secret: str | None = None
) -> httpx.Response:
    """Sign in; when the site asks for a second factor, answer with a current code (from
    `totp_secret`, by default the one tests.factories.make_user gave the person)."""
    response = await post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/sign-in/two-factor":
        response = await answer_second_factor(client, totp_secret or totp_secret_for(email))
    return response


async def answer_second_factor(client: httpx.AsyncClient, secret: str) -> httpx.Response:
    """A current code, or the next one if this step's code was just used (each is single use)."""
    totp = pyotp.TOTP(secret)
    for offset in (0, 1):
        code = totp.at(datetime.now(UTC), counter_offset=offset)
        response = await post_form(client, "/sign-in/two-factor", {"code": code})
        if response.status_code == 303:
            return response
    raise AssertionError(f"the second factor was refused: {response.text[:500]}")


def field_errors(response: httpx.Response) -> dict[str, str]:
    """Errors shown next to fields, by field id."""
    page = soup(response)
    errors = {}
    for error in page.select(".field-error"):
        field_id = error.get("id", "").removesuffix("-error").removeprefix("field-")
        errors[field_id] = " ".join(error.get_text(" ").replace("Error:", "").split())
    return errors


#: Work too heavy for the event loop (owner, attribute, where it belongs instead): each costs
#: from tens of milliseconds to seconds of CPU at the largest input the site accepts, and the
#: loop serves nobody else meanwhile. Named where the work is done, not where it is called
#: from, so a new caller is caught too.
CPU_HEAVY: list[tuple[Any, str, str]] = [
    (PasswordHasher, "hash", "await app.security.passwords"),
    (PasswordHasher, "verify", "await app.security.passwords"),
    (QRCode, "make_image", "draw QR codes with anyio.to_thread.run_sync"),
    (PdfReader, "__init__", "check PDFs with app.discussion.attachments.checked_paper"),
    (edit_history, "versions_of", "await app.discussion.edit_history.contribution_versions"),
    (builders, "contribution_record", "write exports in a worker thread, as app.export.json_export does"),
    (csv_export, "csv_row", "write exports in a worker thread, as app.export.csv_export does"),
    (loader, "assemble_document", "assemble documents in a thread: app.export.documents.loader.load_document_content"),
    (DocxDocument, "save", "write DOCX in a thread: app.export.documents.docx_document"),
    (ExcelWriter, "save", "write XLSX in a thread: app.export.documents.xlsx_document"),
    (HTML, "write_pdf", "lay out PDFs in a thread: app.export.documents.pdf_document"),
    (
        consolidation_amendments,
        "group_amendments",
        "group amendments with app.consolidation.amendments.amendment_groups",
    ),
    (
        near_duplicates,
        "near_duplicate_groups",
        "group campaigns in a background job: app.discussion.campaigns.recompute_campaigns",
    ),
]


def on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def forbid_on_the_event_loop(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, instead: str) -> None:
    """Make `owner.name` fail when called on the event loop's thread (in a worker thread, it
    runs as before)."""
    real: Callable[..., Any] = getattr(owner, name)

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if on_the_event_loop():
            raise AssertionError(f"{getattr(owner, '__name__', owner)}.{name}() on the event loop: {instead}")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, guarded)


class LoopWatch:
    """The CPU time of each callback the event loop runs while watching, per label: the
    longest stretch during which the loop served nobody else.

    CPU time of the loop's thread (time.thread_time), not the wall-clock time asyncio's debug
    mode reports as slow callbacks: on a loaded two-core CI machine the wall clock also counts
    the time other processes had the core, which would make a test that uses it flaky (and
    debug mode's own bookkeeping, a stack capture at every call_soon, would be counted too).
    Cyclic garbage collection is not counted either: its pauses grow with every object the
    process holds, the test runner's included, not with what a request does."""

    def __init__(self) -> None:
        self.longest: dict[str, float] = {}  #: milliseconds, by label
        self._label: str | None = None
        self._collecting_since = self._collected = 0.0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = asyncio.events.Handle._run
        watch = self

        def timed_run(handle: asyncio.Handle) -> None:
            label = watch._label  # a callback counts for the label it started under
            if label is None:
                return real(handle)
            started, collected_before = time.thread_time(), watch._collected
            try:
                return real(handle)
            finally:
                spent = (time.thread_time() - started - (watch._collected - collected_before)) * 1000
                watch.longest[label] = max(watch.longest.get(label, 0.0), spent)

        monkeypatch.setattr(asyncio.events.Handle, "_run", timed_run)

    def garbage_collection(self, phase: str, _info: dict[str, int]) -> None:
        """A gc.callbacks hook: the CPU time collections take on the loop's thread."""
        if not on_the_event_loop():
            return
        if phase == "start":
            self._collecting_since = time.thread_time()
        else:
            self._collected += time.thread_time() - self._collecting_since

    @asynccontextmanager
    async def watching(self, label: str) -> AsyncIterator[None]:
        """Count the callbacks run from here to the end of the block under `label`. Each end
        yields to the loop, so the test's own work before and after is not counted."""
        self._label = label
        await asyncio.sleep(0)
        try:
            yield
        finally:
            self._label = None
            await asyncio.sleep(0)

    def over(self, limit_ms: float) -> dict[str, float]:
        return {label: round(spent, 1) for label, spent in self.longest.items() if spent > limit_ms}


@pytest.fixture
def loop_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopWatch]:
    watch = LoopWatch()
    watch.install(monkeypatch)
    gc.callbacks.append(watch.garbage_collection)
    yield watch
    gc.callbacks.remove(watch.garbage_collection)


async def download_export(client: httpx.AsyncClient, db: Any, consultation_path: str, fmt: str) -> httpx.Response:
    """An export as a negotiator gets it (app.export.jobs): asked for on the consultation's
    export page, made by the worker (here, on the test's own transaction: `db`'s connection),
    then downloaded from the job's page."""
    from app.db import make_sessionmaker
    from app.export.jobs import EXPORT_JOB, run_export
    from app.jobs.worker import run_one

    asked = await post_form(client, f"{consultation_path}/exports", {"format": fmt})
    assert asked.status_code == 303, asked.text[:500]
    sessions = make_sessionmaker(db.bind, join_transaction_mode="create_savepoint")
    while await run_one(sessions, sessions, {EXPORT_JOB: run_export}):
        pass
    return await post_form(client, f"{asked.headers['location']}/file", {})
