"""Journeys of a person's own account, with mail delivered by a real SMTP server (aiosmtpd
on loopback) and links followed through the app: email verification, password reset,
change of email, signing out everywhere, and the sign-in throttle."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from app.accounts.models import AccountToken, SignInFailure, User
from app.accounts.sessions import SESSION_COOKIE
from app.db import utcnow
from tests.factories import PASSWORD, make_user
from tests.mail_server import MailServer, Received, sending_to, smtp_server
from tests.support import field_errors, post_form, sign_in, soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

KM = "/consultations/com-2013-292/messages/RT2-KM3"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(app, smtp_server: MailServer):  # type: ignore[no-untyped-def]
    """The conftest app, sending its mail to the test SMTP server."""
    return sending_to(app, smtp_server)


def only_mail(server: MailServer, address: str) -> Received:
    [mail] = server.to(address)
    return mail


def link_path(mail: Received) -> str:
    """The link in a mail, as a path on this site (base_url is the site's public address)."""
    [link] = [url for url in mail.links() if "token=" in url]
    assert link.startswith("http://127.0.0.1:8000/")
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def follow(client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """Open a link from a mail: a page with a button, then press it (POST with the token)."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    form = soup(page).select_one("form[method=post] input[name=token]")
    assert form is not None, visible_text(page)
    return await post_form(client, path.split("?")[0], {"token": form["value"], **(data or {})})


SIGN_UP = {
    "display_name": "Aminata Diallo",
    "password": "a long enough password",
    "organisation_id": "",
    "org_name": "Forum des Sénégalais",
    "org_type": "diaspora",
    "org_country": "FR",
}


async def sign_up(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """Sign up, then sign in with the password before opening the mailed link (allowed: the
    person reads but cannot take part until the address is confirmed)."""
    response = await post_form(client, "/sign-up", {**SIGN_UP, "email": email})
    assert response.status_code == 303 and response.headers["location"] == "/sign-up/check-your-mail", response.text
    await sign_in(client, email, SIGN_UP["password"])
    return response


async def post_position(client: httpx.AsyncClient) -> httpx.Response:
    return await post_form(
        client, f"{KM}/contributions", {"position": "support", "body": "We agree.", "submission_key": "k" * 16}
    )


# -- email verification -----------------------------------------------------------------


async def test_sign_up_sends_a_verification_link_that_unlocks_contributing(client, other_client, db, smtp_server):
    await sign_up(client, "verify.me@example.org")
    mail = only_mail(smtp_server, "verify.me@example.org")
    assert mail.message["Subject"] == "Confirm your email address for Roundtable"
    assert "Hello Aminata Diallo," in mail.body

    page = await client.get(KM)
    assert "Confirm your email address" in visible_text(page)
    assert soup(page).select_one("form[action='/account/verify/resend'] button") is not None
    assert soup(page).select_one("form[action$='/contributions']") is None
    refused = await post_position(client)
    assert refused.status_code == 403 and "Open it to take positions and reply" in visible_text(refused)

    path = link_path(mail)
    assert (await other_client.get(path)).status_code == 200  # opening the link changes nothing...
    user = await db.scalar(select(User).where(User.email == "verify.me@example.org"))
    await db.refresh(user)
    assert user.email_verified_at is None
    response = await follow(client, path)  # ...pressing the button does
    assert response.status_code == 303
    assert "Confirm your email address" not in visible_text(await client.get("/"))
    assert (await post_position(client)).status_code == 303
    again = await follow(other_client, path)
    assert again.status_code == 400 and "This link has already been used." in visible_text(again)


async def test_the_link_signs_in_a_person_who_opens_it_elsewhere(other_client, client, smtp_server):
    await sign_up(client, "elsewhere@example.org")
    response = await follow(other_client, link_path(only_mail(smtp_server, "elsewhere@example.org")))
    assert response.status_code == 303
    assert "Signed in as Aminata Diallo" in visible_text(await other_client.get("/"))


async def test_the_link_can_be_sent_again_at_most_every_five_minutes(client, db, smtp_server):
    await sign_up(client, "resend@example.org")
    first = only_mail(smtp_server, "resend@example.org")
    response = await post_form(client, "/account/verify/resend", {"next": KM})
    assert response.headers["location"] == KM
    assert "less than 5 minutes ago" in visible_text(await client.get(KM))
    assert len(smtp_server.to("resend@example.org")) == 1
    user = await db.scalar(select(User).where(User.email == "resend@example.org"))
    await db.execute(
        update(AccountToken).where(AccountToken.user_id == user.id).values(created_at=utcnow() - timedelta(minutes=6))
    )
    await db.commit()
    await post_form(client, "/account/verify/resend", {"next": "/"})
    first_mail, second = smtp_server.to("resend@example.org")
    assert first_mail is first and link_path(second) != link_path(first)
    stale = await follow(client, link_path(first))
    assert stale.status_code == 400 and "replaced by a newer one" in visible_text(stale)
    assert (await follow(client, link_path(second))).status_code == 303


async def test_an_expired_verification_link_is_explained(client, db, smtp_server):
    await sign_up(client, "late@example.org")
    await db.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    await db.commit()
    response = await follow(client, link_path(only_mail(smtp_server, "late@example.org")))
    assert response.status_code == 400 and "This link has expired." in visible_text(response)


async def test_a_common_password_is_refused_next_to_the_field_and_the_rest_is_kept(client):
    response = await post_form(client, "/sign-up", {**SIGN_UP, "email": "common@example.org", "password": "qwertyuiop"})
    assert response.status_code == 422
    assert field_errors(response) == {
        "password": "This password is one of the most commonly used, so it is easy to guess. Choose another."
    }
    page = soup(response)
    assert page.select_one("#field-email")["value"] == "common@example.org"
    assert page.select_one("#field-display_name")["value"] == "Aminata Diallo"
    assert page.select_one("#field-password")["value"] == ""
    assert page.select_one("#field-password")["aria-describedby"] == "field-password-hint field-password-error"


# -- password reset -----------------------------------------------------------------------


async def test_password_reset_by_link_ends_every_session_and_signs_in_fresh(client, other_client, db, smtp_server):
    user = await make_user(db, email="forgetful@example.org", verified=False)
    await db.commit()
    await sign_in(other_client, user.email, PASSWORD)  # say, a browser left signed in elsewhere
    assert "Forgot your password?" in visible_text(await client.get("/sign-in"))

    response = await post_form(client, "/account/password-reset", {"email": "Forgetful@Example.org"})
    assert "If an account exists for Forgetful@Example.org, we sent it a link" in visible_text(response)
    mail = only_mail(smtp_server, user.email)
    assert mail.message["Subject"] == "Reset your Roundtable password"
    path = link_path(mail)

    weak = await follow(client, path, {"password": "1234567890", "password_confirm": "1234567890"})
    assert weak.status_code == 422 and set(field_errors(weak)) == {"password"}
    mismatch = await follow(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"})
    assert field_errors(mismatch) == {"password_confirm": "The two passwords are not the same."}
    done = await follow(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert "Signed in as" in visible_text(await client.get("/"))
    assert "Signed in as" not in visible_text(await other_client.get("/"))  # the other session ended
    await db.refresh(user)
    assert user.email_verified_at is not None  # the link proved the address

    again = await follow(
        client, path, {"password": "another new passphrase", "password_confirm": "another new passphrase"}
    )
    assert again.status_code == 400 and "This link has already been used." in visible_text(again)
    old = await post_form(other_client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert old.status_code == 422
    await sign_in(other_client, user.email, NEW_PASSWORD)


async def test_password_reset_never_reveals_accounts_and_mails_at_most_every_five_minutes(client, db, smtp_server):
    user = await make_user(db, email="known@example.org")
    await db.commit()
    known = await post_form(client, "/account/password-reset", {"email": "known@example.org"})
    unknown = await post_form(client, "/account/password-reset", {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert visible_text(known).replace("known@", "X@") == visible_text(unknown).replace("unknown@", "X@")
    assert smtp_server.to("unknown@example.org") == []
    await post_form(client, "/account/password-reset", {"email": "known@example.org"})
    assert len(smtp_server.to(user.email)) == 1


async def test_an_expired_reset_link_is_refused(client, db, smtp_server):
    user = await make_user(db, email="slow@example.org")
    await db.commit()
    await post_form(client, "/account/password-reset", {"email": user.email})
    await db.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    response = await follow(
        client,
        link_path(only_mail(smtp_server, user.email)),
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400 and "This link has expired." in visible_text(response)


# -- the account page: change of email, signing out everywhere -------------------------------


async def test_changing_the_email_needs_the_password_and_a_link_sent_to_the_new_address(
    client, other_client, db, smtp_server
):
    user = await make_user(db, email="old.address@example.org")
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    page = await client.get("/account")
    assert "Your email address is old.address@example.org. It is confirmed." in visible_text(page)

    wrong = await post_form(client, "/account/email", {"new_email": "new.address@example.org", "password": "nope"})
    assert wrong.status_code == 422 and field_errors(wrong) == {"password": "The password is not right."}
    assert soup(wrong).select_one("#field-new_email")["value"] == "new.address@example.org"
    response = await post_form(client, "/account/email", {"new_email": "New.Address@example.org", "password": PASSWORD})
    assert response.status_code == 303

    notice = only_mail(smtp_server, "old.address@example.org")
    assert "new.address@example.org" in notice.body and "token=" not in notice.body
    confirmation = only_mail(smtp_server, "new.address@example.org")
    assert confirmation.message["Subject"] == "Confirm your new email address for Roundtable"
    await db.refresh(user)
    assert user.email == "old.address@example.org"  # nothing changes before the link is used

    confirmed = await follow(other_client, link_path(confirmation))
    assert confirmed.status_code == 303
    await db.refresh(user)
    assert user.email == "new.address@example.org" and user.email_verified_at is not None
    await sign_in(other_client, "new.address@example.org", PASSWORD)


async def test_a_taken_address_is_refused_next_to_the_field(client, db):
    user = await make_user(db)
    other = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    response = await post_form(client, "/account/email", {"new_email": other.email.upper(), "password": PASSWORD})
    assert field_errors(response) == {"new_email": "An account with this email address already exists."}


async def test_sign_out_everywhere_ends_every_session_including_this_one(client, other_client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    await sign_in(other_client, user.email, PASSWORD)
    response = await post_form(client, "/account/sign-out-everywhere", {})
    assert response.status_code == 303
    for browser in (client, other_client):
        assert "Signed in as" not in visible_text(await browser.get("/"))
    assert SESSION_COOKIE not in client.cookies


# -- the sign-in throttle over HTTP ---------------------------------------------------------


async def test_a_throttled_sign_in_says_how_long_to_wait_and_keeps_the_email(client, db):
    user = await make_user(db)
    await db.commit()
    for _ in range(5):
        await post_form(client, "/sign-in", {"email": user.email, "password": "wrong password"})
    response = await post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert field_errors(response)["email"] in {
        f"Too many failed attempts from your network. Wait {wait} seconds and try again, or reset your password."
        for wait in (3, 4)
    }
    assert soup(response).select_one("#field-email")["value"] == user.email
    await db.execute(
        update(SignInFailure)
        .where(SignInFailure.account_key == user.email)
        .values(attempted_at=utcnow() - timedelta(seconds=5))
    )
    await db.commit()
    await sign_in(client, user.email, PASSWORD)


async def test_sign_in_failures_are_counted_per_client_network(app, client, db):
    user = await make_user(db)
    await db.commit()
    for _ in range(5):
        await post_form(client, "/sign-in", {"email": user.email, "password": "wrong password"})
    recorded = await db.execute(
        select(SignInFailure.address, SignInFailure.network).where(SignInFailure.account_key == user.email)
    )
    assert {tuple(row) for row in recorded} == {("127.0.0.1", "127.0.0.0/24")}
    refused = await post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert "Too many failed attempts" in field_errors(refused)["email"]
    transport = httpx.ASGITransport(app=app, client=("192.0.2.44", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        await sign_in(elsewhere, user.email, PASSWORD)
