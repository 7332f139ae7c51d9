"""Secure headers on every response; error pages people can act on."""

from __future__ import annotations

import pytest

from app.security.headers import CONTENT_SECURITY_POLICY
from tests.support import soup


@pytest.mark.parametrize("path", ["/", "/consultations/com-2013-292/messages/RT1-KM1", "/nope", "/static/css/site.css"])
async def test_secure_headers(client, path):
    response = await client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_pages_have_no_inline_script_or_style(client):
    page = soup(await client.get("/consultations/com-2013-292/messages/RT1-KM1"))
    assert all(script.get("src") for script in page.select("script"))
    assert not page.select("style") and not page.select("[style]")
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


async def test_not_found_is_a_page_with_one_h1(client):
    response = await client.get("/nope")
    assert response.status_code == 404
    assert [h.get_text() for h in soup(response).select("h1")] == ["Page not found"]


async def test_csrf_cookie_is_http_only_and_same_site(client):
    response = await client.get("/sign-in")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_a_page_without_a_form_sets_no_cookie(client):
    # Its token would be in no form: the cookie waits for a page that has one.
    assert "set-cookie" not in (await client.get("/")).headers
