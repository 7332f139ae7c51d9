"""Helpers for driving the app as a person would: read pages with a real HTML parser."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pyotp
from bs4 import BeautifulSoup

from app.security.csrf import COOKIE_NAME
from tests.factories import totp_secret_for


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def visible_text(response: httpx.Response) -> str:
    return " ".join(soup(response).get_text(" ").split())


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The token a form on the site would carry (the cookie is set on the first visit)."""
    if COOKIE_NAME not in client.cookies:
        await client.get("/sign-in")
    return client.cookies[COOKIE_NAME]


async def post_form(client: httpx.AsyncClient, url: str, data: dict[str, str], **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.post(url, data={"csrf_token": await csrf_token(client), **data}, **kwargs)


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
