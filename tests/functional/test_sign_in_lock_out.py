"""A stranger guessing a person's password from their own network slows only themselves:
the person signs in at once from another network, and resetting the password clears the
failures so they can sign in from the stranger's network too (an office shared with them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from tests.factories import PASSWORD, make_user
from tests.mail_server import MailServer, sending_to, smtp_server
from tests.support import field_errors, post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

NETWORK_A = "203.0.113.5"
NETWORK_B = "198.51.100.20"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    return sending_to(app, smtp_server)


@asynccontextmanager
async def browser_at(app, address: str) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A browser whose requests come from `address`, as the ASGI server reports it."""
    transport = httpx.ASGITransport(app=app, client=(address, 50123))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def reset_password(client: httpx.AsyncClient, server: MailServer, email: str) -> httpx.Response:
    await post_form(client, "/account/password-reset", {"email": email})
    [mail] = server.to(email)
    [link] = [url for url in mail.links() if "token=" in url]
    parts = urlsplit(link)
    page = await client.get(f"{parts.path}?{parts.query}")
    token = soup(page).select_one("form[method=post] input[name=token]")["value"]
    data = {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    return await post_form(client, parts.path, data)


async def test_a_stranger_cannot_lock_a_person_out(app, db, smtp_server):
    alice = await make_user(db, email="alice@example.org")
    await db.commit()
    async with browser_at(app, NETWORK_A) as stranger:
        for _ in range(5):
            wrong = await post_form(stranger, "/sign-in", {"email": alice.email, "password": "a wrong guess"})
            assert field_errors(wrong) == {"email": "The email address or password is not right."}

        async with browser_at(app, NETWORK_B) as alice_at_home:
            await sign_in(alice_at_home, alice.email, PASSWORD)
            assert "Signed in as" in visible_text(await alice_at_home.get("/"))

        guessed = await post_form(stranger, "/sign-in", {"email": alice.email, "password": PASSWORD})
        assert guessed.status_code == 422 and "Signed in as" not in visible_text(await stranger.get("/"))
        message = field_errors(guessed)["email"]
        assert message == (
            "Too many failed attempts from your network. Wait 4 seconds and try again, or reset your password."
        )
        assert soup(guessed).select_one("a[href='/account/password-reset']") is not None

    async with browser_at(app, "203.0.113.77") as alice_at_the_office:  # the stranger's network
        refused = await post_form(alice_at_the_office, "/sign-in", {"email": alice.email, "password": PASSWORD})
        assert "Too many failed attempts" in field_errors(refused)["email"]
        assert (await reset_password(alice_at_the_office, smtp_server, alice.email)).status_code == 303
        await post_form(alice_at_the_office, "/sign-out", {})
        await sign_in(alice_at_the_office, alice.email, NEW_PASSWORD)
        assert "Signed in as" in visible_text(await alice_at_the_office.get("/"))
