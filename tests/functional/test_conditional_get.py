"""Readers who are not signed in, often on slow links, re-read discussions that have not
changed: the key message page answers a conditional GET with 304 and no body while nothing
it shows has changed, and in full as soon as anything has (issue 10)."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from tests.factories import PASSWORD, make_position, make_user
from tests.support import sign_in

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def _tag(client, url: str = KM) -> str:
    response = await client.get(url)
    assert response.status_code == 200
    return response.headers["etag"]


async def test_an_unchanged_page_is_not_sent_again(client, db, consultation):
    tag = await _tag(client)
    assert tag.startswith('W/"')
    again = await client.get(KM, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == "private, no-cache"
    listed = await client.get(KM, headers={"If-None-Match": f'W/"other", {tag}'})
    assert listed.status_code == 304


async def test_a_new_contribution_sends_the_page_again(client, db, consultation):
    tag = await _tag(client)
    await make_position(db, consultation, author=await make_user(db), body="Something new to read.")
    await db.commit()
    fresh = await client.get(KM, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and "Something new to read." in fresh.text
    assert fresh.headers["etag"] != tag


async def test_closing_the_consultation_sends_the_page_again(client, db, consultation):
    tag = await _tag(client)
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    await db.commit()
    assert (await client.get(KM, headers={"If-None-Match": tag})).status_code == 200


async def test_each_address_and_each_browser_has_its_own_version(client, other_client, db, consultation):
    tag = await _tag(client)
    assert await _tag(client, f"{KM}?sort=endorsed") != tag
    # Another browser's page carries another CSRF token: it never gets this one's 304.
    assert (await other_client.get(KM, headers={"If-None-Match": tag})).status_code == 200


async def test_signed_in_pages_and_htmx_swaps_are_always_sent(client, db, consultation):
    tag = await _tag(client)
    swap = await client.get(KM, headers={"If-None-Match": tag, "HX-Request": "true"})
    assert swap.status_code == 200 and "etag" not in swap.headers
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    signed_in = await client.get(KM, headers={"If-None-Match": "*"})
    assert signed_in.status_code == 200 and "etag" not in signed_in.headers


async def test_nonsense_validators_get_the_page(client, db, consultation):
    for held in ("", "garbage", '"' * 500, 'W/"\x7f"', ",,,"):
        assert (await client.get(KM, headers={"If-None-Match": held})).status_code == 200
