"""Readers who are not signed in, often on slow links, re-read discussions that have not
changed (issue 10): every reading page gives them an ETag and a Last-Modified and answers a
conditional GET with 304 and no body while nothing it shows has changed, in full as soon as
anything has; and a shared cache may keep the page for a second, because it carries nothing
of one browser's. Signed-in pages, htmx fragments and pages with a one-time message are
kept nowhere and never answered with 304."""

from __future__ import annotations

import json
import re
from datetime import UTC, timedelta
from email.utils import format_datetime

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from app.consultation.models import Consultation, KeyMessage
from app.db import utcnow
from app.organisations.services import verify
from app.security.csrf import COOKIE_NAME, unmasked
from app.web import conditional
from app.web.cache_policy import PERSONAL, SHARED
from app.web.flash import FLASH_COOKIE
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import csrf_token, sign_in, soup

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM3"
THREAD = "thread"  # its address needs a contribution: see _address
PAGES = [
    "/",
    f"/consultations/{SLUG}",
    f"/consultations/{SLUG}/roundtables/RT2",
    KM,
    f"{KM}?sort=newest",
    THREAD,
    f"/consultations/{SLUG}/feed.atom",
    f"{KM}/feed.atom",
    f"/consultations/{SLUG}/topics/remittances/feed.atom",
]


async def _address(page: str, db, consultation) -> str:
    if page not in (THREAD, "history"):
        return page
    contribution = await make_position(db, consultation, author=await make_user(db), body="A thread to read.")
    await db.commit()
    return f"/contributions/{contribution.id}" + ("/history" if page == "history" else "")


def _assert_shared(response) -> None:
    assert response.headers["cache-control"] == SHARED
    vary = {name.strip().lower() for name in response.headers["vary"].split(",")}
    assert {"cookie", "hx-request"} <= vary
    assert "set-cookie" not in response.headers
    # For nginx, which counts whole seconds: "until the end of this second" (deploy/).
    assert re.fullmatch(r"@\d{10}", response.headers["x-accel-expires"])


@pytest.mark.parametrize("page", PAGES)
async def test_every_reading_page_is_shared_and_answers_304_while_unchanged(client, db, consultation, page):
    address = await _address(page, db, consultation)
    full = await client.get(address)
    assert full.status_code == 200 and full.content
    _assert_shared(full)
    tag = full.headers["etag"]
    assert tag.startswith('W/"')

    again = await client.get(address, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    _assert_shared(again)
    assert (await client.get(address, headers={"If-None-Match": f'W/"other", {tag}'})).status_code == 304
    head = await client.head(address, headers={"If-None-Match": tag})
    assert head.status_code == 304


@pytest.mark.parametrize("page", [KM, THREAD, "/", f"/consultations/{SLUG}/feed.atom"])
async def test_a_new_contribution_sends_the_page_again(client, db, consultation, page):
    address = await _address(page, db, consultation)
    tag = (await client.get(address)).headers["etag"]
    await make_position(db, consultation, author=await make_user(db), body="Something new to read.")
    await db.commit()
    fresh = await client.get(address, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    if page in (KM, f"/consultations/{SLUG}/feed.atom"):
        assert "Something new to read." in fresh.text


async def test_closing_the_consultation_sends_the_page_again(client, db, consultation):
    tag = (await client.get(KM)).headers["etag"]
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    await db.commit()
    assert (await client.get(KM, headers={"If-None-Match": tag})).status_code == 200


async def test_verifying_an_organisation_sends_its_contributions_again(client, db, consultation):
    # A badge changes how existing contributions look without a write to the discussion.
    organisation = await make_organisation(db, name="Diaspora Forum")
    author = await make_user(db, organisation=organisation)
    moderator = await make_user(db)
    await make_position(db, consultation, author=author, body="Spoken for the forum.")
    await db.commit()
    tag = (await client.get(KM)).headers["etag"]
    await verify(db, organisation, moderator=moderator, note="Checked the register.")
    await db.commit()
    assert (await client.get(KM, headers={"If-None-Match": tag})).status_code == 200


@pytest.mark.parametrize("page", [KM, THREAD])
async def test_every_reader_gets_the_same_page_and_the_same_tag(client, other_client, db, consultation, page):
    address = await _address(page, db, consultation)
    await csrf_token(client)  # this browser has been to the sign-in form: it holds a token
    first, second = await client.get(address), await other_client.get(address)
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    # So a copy one reader's browser (or nginx) holds is current for another.
    assert (await other_client.get(address, headers={"If-None-Match": first.headers["etag"]})).status_code == 304


#: Reading pages shared without validators of their own (a browser gets them in full).
OTHER_READING_PAGES = [
    f"{KM}/amendments",
    f"{KM}/passages/0-20",
    f"/consultations/{SLUG}/topics",
    f"/consultations/{SLUG}/topics/remittances",
    "/privacy",
    "history",
]


@pytest.mark.parametrize("page", PAGES + OTHER_READING_PAGES)
async def test_no_shared_page_carries_a_cookie_or_a_token(client, db, consultation, page):
    address = await _address(page, db, consultation)
    token = await csrf_token(client)
    response = await client.get(address)
    _assert_shared(response)
    assert token not in response.text
    if response.headers["content-type"].startswith("text/html"):
        assert not soup(response).select("input[name=csrf_token], [data-hx-headers]")


async def test_last_modified_and_if_modified_since(client, db, consultation, monkeypatch):
    an_hour_ago = utcnow().replace(microsecond=0) - timedelta(hours=1)
    monkeypatch.setattr(conditional, "STARTED_AT", an_hour_ago - timedelta(days=1))
    await db.execute(update(Consultation).values(updated_at=an_hour_ago - timedelta(minutes=5)))
    await db.execute(update(KeyMessage).values(discussion_changed_at=an_hour_ago))
    await db.commit()
    response = await client.get(KM)
    assert response.headers["last-modified"] == format_datetime(an_hour_ago, usegmt=True)
    since = {"If-Modified-Since": response.headers["last-modified"]}
    assert (await client.get(KM, headers=since)).status_code == 304
    earlier = {"If-Modified-Since": format_datetime(an_hour_ago - timedelta(seconds=1), usegmt=True)}
    assert (await client.get(KM, headers=earlier)).status_code == 200
    # If-None-Match decides when it is sent, even against a date that would match.
    assert (await client.get(KM, headers={**since, "If-None-Match": 'W/"other"'})).status_code == 200

    await make_position(db, consultation, author=await make_user(db), body="Written just now.")
    await db.commit()
    after = await client.get(KM, headers=since)
    assert after.status_code == 200 and "Written just now." in after.text
    # A change this recent has no Last-Modified yet: another could follow within the second.
    assert "last-modified" not in after.headers and after.headers["etag"] != response.headers["etag"]


async def test_every_write_records_when_the_discussion_changed(db, consultation):
    before = utcnow()
    await make_position(db, consultation, author=await make_user(db), body="Dated.")
    await db.commit()
    changed = await db.scalar(
        select(KeyMessage.discussion_changed_at).where(
            KeyMessage.ref == "RT2-KM3", KeyMessage.consultation_id == consultation.id
        )
    )
    assert changed is not None
    assert (changed if changed.tzinfo else changed.replace(tzinfo=UTC)) >= before


async def test_signed_in_pages_are_kept_nowhere_and_always_sent(client, db, consultation):
    tag = (await client.get(KM)).headers["etag"]
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    for address in (KM, "/", f"/consultations/{SLUG}"):
        response = await client.get(address, headers={"If-None-Match": tag})
        assert response.status_code == 200 and "etag" not in response.headers
        assert response.headers["cache-control"] == PERSONAL


async def test_htmx_fragments_are_kept_nowhere(client, db, consultation):
    tag = (await client.get(KM)).headers["etag"]
    for headers in (
        {"HX-Request": "true"},
        {"HX-Request": "true", "HX-Target": "discussion-list"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ):
        swap = await client.get(KM, headers={"If-None-Match": tag, **headers})
        assert swap.status_code == 200 and "etag" not in swap.headers
        assert swap.headers["cache-control"] == PERSONAL


async def test_a_page_with_a_one_time_message_is_sent_once_and_kept_nowhere(app, client, db, consultation):
    tag = (await client.get(KM)).headers["etag"]
    serializer = URLSafeTimedSerializer(str(app.state.settings.secret_key), salt="roundtable.flash")
    client.cookies.set(FLASH_COOKIE, serializer.dumps(json.dumps([["success", "You have signed out."]])))
    response = await client.get(KM, headers={"If-None-Match": tag})
    assert response.status_code == 200 and "You have signed out." in response.text
    assert "etag" not in response.headers and response.headers["cache-control"] == PERSONAL
    assert response.headers["set-cookie"].startswith(f"{FLASH_COOKIE}=;")


async def test_form_pages_set_the_cookie_and_stay_private(client):
    response = await client.get("/sign-in")
    assert response.headers["set-cookie"].startswith(f"{COOKIE_NAME}=")
    assert response.headers["cache-control"] == PERSONAL
    again = await client.get("/sign-in")
    assert "set-cookie" not in again.headers and again.headers["cache-control"] == "private, no-cache"
    # The page carries the browser's token, masked afresh in each response (BREACH).
    shown = soup(again).select_one("input[name=csrf_token]")["value"]
    assert unmasked(shown) == client.cookies[COOKIE_NAME] and client.cookies[COOKIE_NAME] not in again.text


@pytest.mark.parametrize("held", ["", "garbage", '"' * 500, 'W/"\x7f"', ",,,"])
async def test_nonsense_validators_get_the_page(client, db, consultation, held):
    assert (await client.get(KM, headers={"If-None-Match": held, "If-Modified-Since": held})).status_code == 200
