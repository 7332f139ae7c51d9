"""Helpers for driving the app as a person would: read pages with a real HTML parser."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from app.security.csrf import COOKIE_NAME


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


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    response = await post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response


def field_errors(response: httpx.Response) -> dict[str, str]:
    """Errors shown next to fields, by field id."""
    page = soup(response)
    errors = {}
    for error in page.select(".field-error"):
        field_id = error.get("id", "").removesuffix("-error").removeprefix("field-")
        errors[field_id] = " ".join(error.get_text(" ").replace("Error:", "").split())
    return errors
