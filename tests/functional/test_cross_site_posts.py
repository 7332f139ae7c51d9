"""Another site's page posting to ours, as an attacker would write it (docs/decisions/0012).

Reading pages no longer carry a CSRF token (a shared cache keeps them), so the token a form
needs comes only with the form's own page, which is never shared. A forged POST has no
token, or carries one from some other browser, or comes from another site: each is refused
the same way, before anything is read or written, and the refusal tells nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import SignInFailure, User
from app.accounts.sessions import SESSION_COOKIE
from app.discussion.models import Contribution
from app.security.csrf import COOKIE_NAME
from app.web.cache_policy import PERSONAL
from tests.factories import PASSWORD, make_user
from tests.support import csrf_token, sign_in

KM = "/consultations/com-2013-292/messages/RT2-KM3"
EVIL = "https://evil.example"


async def _count(db, column) -> int:
    return int(await db.scalar(select(func.count(column))))


def _refusal(response) -> tuple[int, str, str | None, str]:
    """What a refusal shows: it must be the same whatever the form held."""
    assert "set-cookie" not in response.headers
    return response.status_code, response.text, response.headers.get("content-type"), response.headers["cache-control"]


async def test_a_reader_of_shared_pages_holds_no_token_to_steal(client, db, consultation):
    for address in ("/", KM):
        await client.get(address)
    assert COOKIE_NAME not in client.cookies


async def test_a_forged_sign_in_is_refused_alike_whoever_it_names(client, db, consultation):
    person = await make_user(db)
    await db.commit()
    await client.get(KM)  # the reader was on a reading page: no cookie, no token
    forged = {"email": person.email, "password": PASSWORD}
    real = await client.post("/sign-in", data=forged, headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    nobody = await client.post(
        "/sign-in",
        data={"email": "nobody@example.org", "password": "wrong"},
        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    )
    untokened = await client.post("/sign-in", data=forged)  # no header says where it came from
    assert _refusal(real) == _refusal(nobody) == _refusal(untokened)
    assert real.status_code == 403 and real.headers["cache-control"] == PERSONAL
    assert person.email not in real.text
    assert SESSION_COOKIE not in client.cookies and COOKIE_NAME not in client.cookies
    assert await _count(db, SignInFailure.id) == 0  # not even a failed attempt was recorded


@pytest.mark.parametrize(
    "where_from",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": EVIL},
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
    ],
)
async def test_another_sites_post_is_refused_even_with_a_valid_token(client, db, consultation, where_from):
    person = await make_user(db)
    await db.commit()
    token = await csrf_token(client)
    refused = await client.post(
        "/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": token}, headers=where_from
    )
    assert refused.status_code == 403 and token not in refused.text
    assert SESSION_COOKIE not in client.cookies


async def test_a_post_from_this_site_passes(client, db, consultation):
    person = await make_user(db)
    await db.commit()
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={"email": person.email, "password": "wrong", "csrf_token": token},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    )
    assert response.status_code == 422  # the form was read; the password was wrong


async def test_a_forged_sign_up_creates_no_account(client, db, consultation):
    users = await _count(db, User.id)
    await client.get("/")
    response = await client.post(
        "/sign-up",
        data={"email": "victim@example.org", "password": "a long passphrase here", "display_name": "Victim"},
        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert await _count(db, User.id) == users


async def test_a_signed_in_persons_browser_cannot_be_made_to_post(client, other_client, db, consultation):
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    # The attacker's own token is of no use with this browser's cookie.
    attackers_token = await csrf_token(other_client)
    contributions = await _count(db, Contribution.id)
    for headers, token in (({}, attackers_token), ({"Sec-Fetch-Site": "cross-site"}, client.cookies[COOKIE_NAME])):
        response = await client.post(
            f"{KM}/contributions",
            data={"csrf_token": token, "position": "support", "body": "Forged.", "submission_key": "forged-0001"},
            headers=headers,
        )
        assert response.status_code == 403 and "Forged." not in response.text
    assert await _count(db, Contribution.id) == contributions
