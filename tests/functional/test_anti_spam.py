"""Anti-spam without a CAPTCHA over HTTP (docs/decisions/0020): the sign-up, position and reply
forms refuse a bot's submission quietly, write nothing and log why; a person who was quick
keeps what they wrote; a person who took their time is not bothered."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace

import httpx
import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution
from app.fragments import RenderedFragment
from app.mail.models import OutgoingMail
from app.main import create_app
from app.organisations.models import Organisation
from app.security.form_stamps import HONEYPOT_FIELD, STAMP_FIELD
from tests.conftest import SEED_SLUG, build_seeded_database
from tests.databases import fresh_database_url
from tests.factories import PASSWORD, make_position, make_user
from tests.support import csrf_token, field_errors, form_guard_fields, hidden_fields, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
POLITE = "Sorry, we could not accept the form this time. Please check it and send it again."
LOGGER = "app.web.bot_guard"
TEXT = "Our federation supports this key message; remittance costs fall only with competition."


@dataclass(frozen=True)
class Form:
    """One of the forms that create something: where it is shown and where it is sent."""

    name: str
    page: str
    action: str
    selector: str
    data: dict[str, str]


def sign_up_form() -> Form:
    data = {
        "display_name": "Aminata Diallo",
        "email": "aminata@example.org",
        "password": "a long enough password",
        "organisation_id": "none",
    }
    return Form("sign_up", "/sign-up", "/sign-up", "form[action='/sign-up']", data)


def position_form() -> Form:
    data = {"position": "support", "body": TEXT}
    return Form("position", KM, f"{KM}/contributions", "#contribution-form form", data)


def reply_form(parent_id: int) -> Form:
    page = f"/contributions/{parent_id}/reply"
    return Form("reply", page, f"/contributions/{parent_id}/replies", ".reply-form form", {"body": TEXT})


def page_fields(response: httpx.Response, selector: str) -> dict[str, str]:
    """The hidden fields and the honeypot of the form on the page, as a browser sends them."""
    form = soup(response).select_one(selector)
    assert form is not None, f"no {selector} on {response.url}"
    return {
        str(field["name"]): str(field.get("value", ""))
        for field in form.select("input[type=hidden], input[name=homepage]")
    }


async def form_of(client: httpx.AsyncClient, db, kind: str) -> Form:  # type: ignore[no-untyped-def]
    """The form of `kind`, for a person signed in on `client` when it needs one."""
    if kind == "sign_up":
        return sign_up_form()
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    if kind == "position":
        return position_form()
    parent = await make_position(db, await consultation_by_slug(db, SEED_SLUG), author=user, body="To answer.")
    await db.commit()
    return reply_form(parent.id)


async def written(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """How many accounts, organisations, contributions and mails there are."""
    counted = {}
    for name, model in (("users", User), ("organisations", Organisation), ("contributions", Contribution)):
        counted[name] = await db.scalar(select(func.count()).select_from(model))
    counted["mails"] = await db.scalar(select(func.count()).select_from(OutgoingMail))
    return counted


def refusals(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(record.form, record.refusal) for record in caplog.records if record.name == LOGGER]  # type: ignore[attr-defined]


def assert_shown_again_with_the_text(response: httpx.Response, form: Form) -> None:
    """The same form, the person's words in it, one polite line above it; the honeypot empty."""
    assert response.status_code == 422
    page = soup(response)
    summary = page.select_one(".error-summary")
    assert summary is not None and POLITE in " ".join(summary.get_text(" ").split())
    shown = page.select_one(form.selector)
    assert shown is not None
    for name, value in form.data.items():
        if name == "password":
            assert shown.select_one("input[name=password]")["value"] == ""  # never echoed back
        elif name == "body":
            assert shown.select_one("textarea[name=body]").get_text() == value
        elif name not in {"position", "organisation_id"}:
            assert shown.select_one(f"input[name={name}]")["value"] == value
    assert shown.select_one(f"input[name={HONEYPOT_FIELD}]")["value"] == ""


@pytest.mark.parametrize("kind", ["sign_up", "position", "reply"])
async def test_a_bot_filling_the_honeypot_gets_the_form_back_nothing_is_written_and_the_log_counts_it(
    client, db, caplog, kind
):
    form = await form_of(client, db, kind)
    fields = page_fields(await client.get(form.page), form.selector)
    before = await written(db)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data, HONEYPOT_FIELD: "https://pills.example"})
    assert_shown_again_with_the_text(response, form)
    assert await written(db) == before
    assert refusals(caplog) == [(form.name, "honeypot")]
    assert TEXT not in caplog.text and "aminata" not in caplog.text.lower()


async def test_a_bot_posting_as_soon_as_it_has_the_form_is_refused(client, db, app, settings, caplog):
    app.state.settings = replace(settings, form_min_fill_seconds=3)
    form = await form_of(client, db, "position")
    fields = page_fields(await client.get(form.page), form.selector)
    before = await written(db)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data})
    assert_shown_again_with_the_text(response, form)
    assert await written(db) == before
    assert refusals(caplog) == [("position", "too_fast")]


@pytest.mark.parametrize("kind", ["sign_up", "position", "reply"])
async def test_a_person_too_fast_keeps_their_text_and_the_time_already_spent(client, db, app, settings, caplog, kind):
    app.state.settings = replace(settings, form_min_fill_seconds=3)
    form = await form_of(client, db, kind)
    token = await csrf_token(client)
    guard = form_guard_fields(token, now=int(time.time()) - 1)  # the form was shown a second ago
    fields = {**page_fields(await client.get(form.page), form.selector), **guard}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data})
    assert_shown_again_with_the_text(response, form)
    assert refusals(caplog) == [(form.name, "too_fast")]
    # Sent again, the form counts from when it was first shown, not from now.
    assert page_fields(response, form.selector)[STAMP_FIELD] == guard[STAMP_FIELD]


async def test_a_form_shown_again_for_a_mistake_keeps_its_stamp(client, db, app, settings):
    """Correcting a field in two seconds does not make the person wait the minimum again."""
    app.state.settings = replace(settings, form_min_fill_seconds=3)
    form = await form_of(client, db, "position")
    guard = form_guard_fields(await csrf_token(client), now=int(time.time()) - 10)
    fields = {**page_fields(await client.get(form.page), form.selector), **guard}
    response = await client.post(form.action, data={**fields, "body": TEXT})  # no position chosen
    assert response.status_code == 422 and "position" in field_errors(response)
    assert page_fields(response, form.selector)[STAMP_FIELD] == guard[STAMP_FIELD]
    corrected = {**page_fields(response, form.selector), **form.data}
    assert (await client.post(form.action, data=corrected)).status_code == 303


async def test_a_person_too_fast_with_htmx_gets_the_form_swapped_back_with_their_text(client, db, app, settings):
    app.state.settings = replace(settings, form_min_fill_seconds=3)
    form = await form_of(client, db, "position")
    fields = page_fields(await client.get(form.page), form.selector)
    response = await client.post(form.action, data={**fields, **form.data}, headers={"HX-Request": "true"})
    assert response.status_code == 422  # swapped too (the page's htmx-config), like any form error
    assert soup(response).select_one("html") is None, "the form alone, for the swap"
    assert_shown_again_with_the_text(response, form)


@pytest.mark.parametrize("kind", ["sign_up", "position", "reply"])
async def test_a_person_who_took_their_time_is_not_bothered(client, db, app, settings, caplog, kind):
    app.state.settings = replace(settings, form_min_fill_seconds=3)
    form = await form_of(client, db, kind)
    token = await csrf_token(client)
    guard = form_guard_fields(token, now=int(time.time()) - 40)  # forty seconds of writing
    fields = {**page_fields(await client.get(form.page), form.selector), **guard}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data})
    assert response.status_code == 303, response.text
    assert refusals(caplog) == []


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        (None, "missing_stamp"),
        ("", "missing_stamp"),
        ("forged.AAAA.BBBB", "forged_stamp"),
        ("\x00\u202e" + "x" * 100_000, "forged_stamp"),
    ],
)
@pytest.mark.parametrize("kind", ["sign_up", "reply"])
async def test_a_missing_or_forged_stamp_is_refused(client, db, caplog, kind, stamp, reason):
    form = await form_of(client, db, kind)
    fields = page_fields(await client.get(form.page), form.selector)
    fields.pop(STAMP_FIELD)
    if stamp is not None:
        fields[STAMP_FIELD] = stamp
    before = await written(db)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data})
    assert_shown_again_with_the_text(response, form)
    assert await written(db) == before
    assert refusals(caplog) == [(form.name, reason)]


async def test_an_expired_stamp_gets_the_form_back_with_a_fresh_one(client, db, settings, caplog):
    form = await form_of(client, db, "position")
    token = await csrf_token(client)
    old = form_guard_fields(token, now=int(time.time()) - settings.form_max_age_hours * 3600 - 5)
    fields = {**page_fields(await client.get(form.page), form.selector), **old}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = await client.post(form.action, data={**fields, **form.data})
    assert_shown_again_with_the_text(response, form)
    assert refusals(caplog) == [("position", "expired_stamp")]
    fresh = page_fields(response, form.selector)[STAMP_FIELD]
    assert fresh != old[STAMP_FIELD]
    response = await client.post(form.action, data={**fields, STAMP_FIELD: fresh, **form.data})
    assert response.status_code == 303


async def test_a_stamp_taken_from_another_persons_page_is_refused(client, other_client, db, caplog):
    form = await form_of(client, db, "position")
    theirs = page_fields(await client.get(form.page), form.selector)[STAMP_FIELD]
    await form_of(other_client, db, "position")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        fields = {**await hidden_fields(other_client), STAMP_FIELD: theirs}
        response = await other_client.post(form.action, data={**fields, **form.data})
    assert response.status_code == 422
    assert refusals(caplog) == [("position", "forged_stamp")]


async def test_the_stamp_is_made_per_reader_and_never_stored_with_a_shared_page(client, other_client, db):
    """Key message pages keep their shared parts in the database (app.fragments): the form,
    with its stamp, is rendered for each reader around them."""
    await form_of(client, db, "position")
    await form_of(other_client, db, "position")
    stamps = [
        page_fields(await reader.get(KM), "#contribution-form form")[STAMP_FIELD] for reader in (client, other_client)
    ]
    assert stamps[0] != stamps[1]
    stored = (await db.scalars(select(RenderedFragment.html))).all()
    assert stored, "the page stored its shared parts"
    assert not any(STAMP_FIELD in html or HONEYPOT_FIELD in html for html in stored)


async def test_the_honeypot_is_out_of_sight_and_out_of_reach(client):
    trap = soup(await client.get("/sign-up")).select_one(f"input[name={HONEYPOT_FIELD}]")
    wrapper = trap.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "form-trap" in wrapper["class"]
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off" and trap["value"] == ""
    assert wrapper.select_one(f"label[for='{trap['id']}']") is not None


# -- two people at once, on their own database (the app's own sessions, not the test's) ------


@pytest.fixture
async def own_database(database_url, tmp_path) -> AsyncIterator[str]:
    url = await fresh_database_url(database_url, "anti_spam", tmp_path)
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    async with make_sessionmaker(engine)() as db:
        for number in range(3):
            await make_user(db, email=f"at-once-{number}@example.org")
        await db.commit()
    yield url
    await engine.dispose()


async def test_people_and_a_bot_posting_at_once_each_get_their_own_answer(own_database, settings, caplog):
    app = create_app(replace(settings, database_url=own_database, form_min_fill_seconds=3))
    async with app.router.lifespan_context(app), AsyncExitStack() as stack:
        clients = []
        for number in range(3):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            clients.append(await stack.enter_async_context(client))
            await sign_in(client, f"at-once-{number}@example.org", PASSWORD)
        shown = int(time.time()) - 30
        forms = [
            {**await hidden_fields(client), **form_guard_fields(await csrf_token(client), now=shown)}
            for client in clients
        ]
        forms[2][HONEYPOT_FIELD] = "https://pills.example"  # the third is a bot
        bodies = [f"Said at once, number {number}, {secrets.token_hex(4)}." for number in range(3)]
        with caplog.at_level(logging.INFO, logger=LOGGER):
            responses = await asyncio.gather(
                *(
                    client.post(
                        f"{KM}/contributions",
                        data={**form, "position": "support", "body": body, "submission_key": secrets.token_hex(12)},
                    )
                    for client, form, body in zip(clients, forms, bodies, strict=True)
                )
            )
    assert [response.status_code for response in responses] == [303, 303, 422]
    assert refusals(caplog) == [("position", "honeypot")]
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            saved = set(
                (await db.scalars(select(Contribution.body_source).where(Contribution.body_source.in_(bodies)))).all()
            )
    finally:
        await engine.dispose()
    assert saved == set(bodies[:2])
