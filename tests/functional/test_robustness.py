"""No input breaks a page: ids and cursors out of range, control characters, failed requests
and malformed forms all get the site's own page, with its security headers."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import feedparser
import pytest
from sqlalchemy import select
from starlette.routing import Route

from app.discussion.models import Contribution
from app.security.headers import SECURE_HEADERS
from app.security.roles import Role
from app.web.requests import db_of
from tests.factories import PASSWORD, make_position, make_user
from tests.support import csrf_token, post_form, sign_in, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM2"
PAST_INT64 = "9223372036854775808"  # 2**63: one past the largest id a database column holds
HUGE = "99999999999999999999999"


def assert_secure_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURE_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), (name, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        f"/contributions/{PAST_INT64}",
        f"/contributions/{HUGE}",
        f"/contributions/{PAST_INT64}/history",
        f"/contributions/{PAST_INT64}/endorse",
        f"/organisations/{PAST_INT64}",
        f"/attachments/{PAST_INT64}",
        "/contributions/-1",
        "/contributions/1e3",
    ],
)
async def test_ids_out_of_range_are_not_found(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert "Page not found" in visible_text(response)
    assert_secure_headers(response)


async def test_an_admin_asking_for_a_person_out_of_range_gets_not_found(client, db):
    admin = await make_user(db, role=Role.ADMIN)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    for path in (f"/admin/people/{PAST_INT64}", f"/admin/audit?before={PAST_INT64}", f"/admin/people?after={HUGE}"):
        response = await client.get(path)
        assert response.status_code in (200, 404), path
        assert_secure_headers(response)


@pytest.mark.parametrize(
    "query",
    [
        f"?after=2013-06-21T00:00:00_{HUGE}",
        f"?sort=newest&after=2013-06-21T00:00:00_{PAST_INT64}",
        f"?sort=endorsed&after=e{HUGE}_1",
        f"?sort=endorsed&after=e1_{HUGE}",
        "?after=2013-06-21T00:00:00_-5",
    ],
)
async def test_cursors_out_of_range_fall_back_to_the_first_page(client, db, consultation, query):
    created = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM2")
    await db.commit()
    response = await client.get(KM + query)
    assert response.status_code == 200
    assert f"c{created.id}" in response.text
    assert_secure_headers(response)


@pytest.mark.parametrize(
    "path",
    [
        f"{KM}/amendments?after={HUGE}_1",
        f"{KM}/amendments?after=1_{PAST_INT64}",
        f"{KM}/live?v=1&after={HUGE}",
        f"/consultations/com-2013-292/topics/remittances?after=2013-06-21T00:00:00_{HUGE}",
        f"{KM}/passages/0-{HUGE}",
        f"{KM}/passages/{HUGE}-{HUGE}9",
    ],
)
async def test_numbers_in_other_lists_never_fail(client, path):
    response = await client.get(path)
    assert response.status_code < 500, response.text[:300]
    assert_secure_headers(response)


async def test_numbers_out_of_range_in_forms_are_refused_not_failed(client, db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM2")
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    endorse = await post_form(client, f"/contributions/{contribution.id}/endorse", {"organisation_id": PAST_INT64})
    assert endorse.status_code == 422
    posted = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "support", "body": "We agree.", "submission_key": "k" * 20, "organisation_id": HUGE},
    )
    assert posted.status_code < 500
    for response in (endorse, posted):
        assert_secure_headers(response)


async def boom(request):  # type: ignore[no-untyped-def]
    """A request that fails after spoiling its session, as a failed write does."""
    await db_of(request).rollback()  # expires what the request loaded, the person included
    raise RuntimeError("the write failed")


async def test_a_failed_request_gets_the_sites_error_page_with_security_headers(app, client, db, caplog):
    app.router.routes.append(Route("/test-boom", boom))
    person = await make_user(db, name="Amina Diallo")
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    with caplog.at_level(logging.ERROR):
        response = await client.get("/test-boom")
    assert response.status_code == 500
    assert "Something went wrong" in visible_text(response)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert_secure_headers(response)
    assert "the write failed" in caplog.text and "the write failed" not in response.text


async def test_control_characters_are_removed_from_what_people_write(client, db, consultation):
    person = await make_user(db, name="Kwame Mensah")
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    body = "Escape \x1b[31mred\x1b[0m, start\x01 of heading,\r\ntab\tkept,\x7f and a bell\x07.\rEnd."
    response = await post_form(
        client, f"{KM}/contributions", {"position": "support", "body": body, "submission_key": "s" * 20}
    )
    assert response.status_code == 303, response.text[:500]
    stored = (await db.scalars(select(Contribution).where(Contribution.author_id == person.id))).one()
    assert stored.body_source == "Escape [31mred[0m, start of heading,\ntab\tkept, and a bell.\nEnd."
    feed = await client.get(f"{KM}/feed.atom")
    ET.fromstring(feed.content)  # noqa: S314 - our own feed; raises unless it is well-formed XML
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.get("bozo_exception")


async def test_a_feed_stays_well_formed_with_old_text_holding_control_characters(client, db, consultation):
    author = await make_user(db, name="Old\x1b Name\x01")
    await make_position(db, consultation, author=author, ref="RT2-KM2", body="Written\x1b before\x01 the fix.")
    await db.commit()
    feed = await client.get(f"{KM}/feed.atom")
    ET.fromstring(feed.content)  # noqa: S314 - our own feed; raises unless it is well-formed XML
    assert "Written before the fix." in feedparser.parse(feed.content).entries[0].content[0].value


async def test_a_malformed_multipart_body_gets_the_sites_own_page(client, db):
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    token = await csrf_token(client)
    response = await client.post(
        f"{KM}/contributions",
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--xyz--\r\n",
        headers={"content-type": "multipart/form-data; boundary=xyz", "x-csrf-token": token},
    )
    assert response.status_code == 400
    assert_secure_headers(response)
    assert "could not be read" in visible_text(response)


async def test_a_field_over_its_limit_gets_a_page_stating_the_limit(client, db):
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    token = await csrf_token(client)
    response = await client.post(
        f"{KM}/contributions",
        data={"csrf_token": token, "position": "support", "body": "x" * (1024 * 1024 + 1)},
        files={"attachment": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 413
    assert "1 MB" in visible_text(response) or "1,024 KB" in visible_text(response)
    assert_secure_headers(response)


async def test_a_signed_in_person_sending_a_bad_sign_up_form_gets_the_form_again(client, db):
    """Found by tests/functional/test_no_500.py: the sign-up view rolled back, which expired
    the signed-in person the page header then read (a 500)."""
    person = await make_user(db, name="Amina Diallo")
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    response = await post_form(client, "/sign-up", {"display_name": ""})
    assert response.status_code == 422
    assert "Signed in as Amina Diallo" in visible_text(response)
