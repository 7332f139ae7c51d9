"""CSRF protection applies to every state-changing request."""

from __future__ import annotations

import secrets

import pytest

from tests.support import csrf_token, post_form


async def test_post_without_token_is_refused_and_changes_nothing(client):
    await client.get("/sign-in")
    response = await client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text


async def test_post_with_wrong_token_is_refused(client):
    await csrf_token(client)
    response = await client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": "x" * 43})
    assert response.status_code == 403


async def test_post_with_token_in_header_passes(client):
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in", data={"email": "a@example.org", "password": "wrong"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422


async def test_cross_origin_post_is_refused_even_with_token(client):
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={"email": "a@example.org", "password": "x", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_form_token_passes(client):
    response = await post_form(client, "/sign-in", {"email": "a@example.org", "password": "wrong"})
    assert response.status_code == 422


async def test_the_public_origin_is_accepted_behind_a_proxy(settings, app, client):
    # nginx may pass another Host; the browser's Origin is then the public BASE_URL.
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={"email": "a@example.org", "password": "wrong", "csrf_token": token},
        headers={"Origin": settings.base_url},
    )
    assert response.status_code == 422


def test_a_page_never_shows_the_token_itself_and_each_showing_differs():
    """Compressed pages that echo request text must not carry a fixed secret (BREACH): each
    showing of the token is masked afresh, and every one of them is accepted."""
    from app.security.csrf import masked, unmasked

    token = secrets.token_urlsafe(32)
    shown = {masked(token) for _ in range(50)}
    assert len(shown) == 50 and all(token not in value and unmasked(value) == token for value in shown)
    assert unmasked(token) == token  # a client that sends the cookie's own value


@pytest.mark.parametrize("junk", ["", "é" * 80, "A" * 88, "%%%", "=" * 100, "x" * 10_000])
def test_junk_is_never_taken_for_a_masked_token(junk):
    from app.security.csrf import unmasked

    assert unmasked(junk) != secrets.token_urlsafe(32)
