"""Signing in through a real OpenID Connect provider (npm `oidc-provider` on a loopback
socket), driven headlessly: the app runs in-process at http://localhost:8000 through
ASGITransport, the provider on its own port, one httpx client playing the browser."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.accounts.models import User, UserIdentity
from app.accounts.oidc import DANCE_COOKIE
from app.db import make_sessionmaker
from app.main import create_app
from app.organisations.models import Membership
from app.security.csrf import COOKIE_NAME as CSRF_COOKIE
from app.settings import Settings, load_settings
from tests.factories import PASSWORD, make_user
from tests.live import free_port
from tests.oidc_provider import (
    APP_BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    PROVIDER_NAME,
    RunningProvider,
    oidc_provider,
    running_provider,
    stop,
)
from tests.support import field_errors, soup, visible_text

__all__ = ["oidc_provider"]  # a fixture, imported for pytest

LABEL = "Test Provider"
NEXT = "/consultations/com-2013-292"


def provider_settings(database_url: str, var_dir: Path, issuers: dict[str, str]) -> Settings:
    environ = {
        "ROUNDTABLE_ENV": "test",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "ROUNDTABLE_VAR_DIR": str(var_dir),
        "BASE_URL": APP_BASE_URL,
        "OIDC_PROVIDERS": ",".join(issuers),
    }
    for name, issuer in issuers.items():
        key = name.upper()
        environ |= {
            f"OIDC_{key}_ISSUER": issuer,
            f"OIDC_{key}_CLIENT_ID": CLIENT_ID,
            f"OIDC_{key}_CLIENT_SECRET": CLIENT_SECRET,
            f"OIDC_{key}_LABEL": LABEL if name == PROVIDER_NAME else name.title(),
        }
    return load_settings(environ)


def browser(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    mounts = {APP_BASE_URL: httpx.ASGITransport(app=app), "all://": httpx.AsyncHTTPTransport()}
    return httpx.AsyncClient(mounts=mounts, follow_redirects=True, timeout=10)


@pytest.fixture
def oidc_app(database_url: str, var_dir: Path, connection: AsyncConnection, oidc_provider: RunningProvider):  # type: ignore[no-untyped-def]
    settings = provider_settings(
        database_url, var_dir, {PROVIDER_NAME: oidc_provider.issuer, "deadop": f"http://127.0.0.1:{free_port()}"}
    )
    return create_app(settings, sessionmaker=make_sessionmaker(connection, join_transaction_mode="create_savepoint"))


@pytest.fixture
async def person(oidc_app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with browser(oidc_app) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


async def authorize(client: httpx.AsyncClient, login: str, *, provider: str = PROVIDER_NAME, next: str = NEXT) -> str:
    """Start at the app, sign in and consent at the provider; return the callback URL the
    provider sends the browser to, without visiting it."""
    page = await client.get(f"{APP_BASE_URL}/auth/oidc/{provider}/login?{urlencode({'next': next})}")
    assert page.status_code == 200 and soup(page).select_one("input[name=login]"), page.text[:300]
    consent = await client.post(page.url, data={"prompt": "login", "login": login, "password": "any"})
    assert consent.status_code == 200 and soup(consent).select_one("input[name=prompt][value=consent]")
    response = await client.post(consent.url, data={"prompt": "consent"}, follow_redirects=False)
    while not response.headers["location"].startswith(APP_BASE_URL):
        response = await client.get(response.headers["location"], follow_redirects=False)
    return response.headers["location"]


async def sign_in_with_provider(client: httpx.AsyncClient, login: str, **kwargs: str) -> httpx.Response:
    return await client.get(await authorize(client, login, **kwargs))


async def users_with_email(db: AsyncSession, email: str) -> list[User]:
    return list((await db.scalars(select(User).where(User.email == email))).all())


def with_state(url: str, state: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, "state": state})))


def dance_cookie(client: httpx.AsyncClient) -> str:
    return next(cookie.value for cookie in client.cookies.jar if cookie.name == DANCE_COOKIE and cookie.value)


async def test_sign_in_page_offers_each_provider(person):
    page = await person.get(f"{APP_BASE_URL}/sign-in?next={NEXT}")
    links = {a.get_text(strip=True): a["href"] for a in soup(page).select(".oidc-providers a")}
    assert links == {
        f"Sign in with {LABEL}": f"/auth/oidc/{PROVIDER_NAME}/login?next=/consultations/com-2013-292",
        "Sign in with Deadop": "/auth/oidc/deadop/login?next=/consultations/com-2013-292",
    }


async def test_first_sign_in_creates_the_account_then_asks_for_the_organisation(person, db):
    login = unique("alice-")
    page = await sign_in_with_provider(person, login)
    assert page.status_code == 200 and page.url.path == "/complete-profile"
    assert f"Signed in as User {login}" in visible_text(page)
    [user] = await users_with_email(db, f"{login}@example.test")
    assert user.password_hash is None and user.email_verified_at is not None and user.display_name == f"User {login}"
    identity = await db.scalar(select(UserIdentity).where(UserIdentity.user_id == user.id))
    assert (identity.provider, identity.subject, identity.last_used_at is not None) == (PROVIDER_NAME, login, True)

    form = {"org_name": "Forum des Sénégalais", "org_type": "diaspora", "org_country": "FR"}
    done = await person.post(
        f"{APP_BASE_URL}/complete-profile",
        data={"csrf_token": person.cookies[CSRF_COOKIE], "next": parse_qs(page.url.query.decode())["next"][0], **form},
    )
    assert done.status_code == 200 and done.url.path == NEXT
    assert "Your organisation is saved." in visible_text(done)
    assert await db.scalar(select(func.count()).where(Membership.user_id == user.id)) == 1


async def test_second_sign_in_is_the_same_person(oidc_app, person, db):
    login = unique("bea-")
    await sign_in_with_provider(person, login)
    [user] = await users_with_email(db, f"{login}@example.test")
    async with browser(oidc_app) as later:
        page = await sign_in_with_provider(later, login)
    assert page.url.path == "/complete-profile"  # still no organisation chosen
    assert [u.id for u in await users_with_email(db, f"{login}@example.test")] == [user.id]
    assert await db.scalar(select(func.count()).where(UserIdentity.user_id == user.id)) == 1


async def test_a_verified_email_connects_the_existing_local_account(person, db):
    login = unique("carl-")
    local = await make_user(db, email=f"{login}@example.test", name="Carl Local")
    await db.commit()
    page = await sign_in_with_provider(person, login)
    assert page.status_code == 200 and page.url.path == NEXT  # has an organisation: straight on
    assert "Signed in as Carl Local" in visible_text(page)
    identity = await db.scalar(select(UserIdentity).where(UserIdentity.subject == login))
    assert identity.user_id == local.id
    assert len(await users_with_email(db, local.email)) == 1


async def test_an_unverified_email_creates_and_connects_nothing(person, db):
    login = unique("unverified-")
    await make_user(db, email=f"{login}@example.test")
    await db.commit()
    page = await sign_in_with_provider(person, login)
    assert page.status_code == 403
    assert f"{LABEL} did not confirm your email address" in visible_text(page)
    assert soup(page).select_one("a[href='/sign-up']") is not None
    assert await db.scalar(select(func.count()).select_from(UserIdentity).where(UserIdentity.subject == login)) == 0
    assert "Signed in as" not in visible_text(await person.get(f"{APP_BASE_URL}/"))


@pytest.mark.parametrize("login_prefix", ["forged-", "tampered-"])
async def test_an_id_token_not_signed_by_the_provider_is_refused(person, db, login_prefix):
    login = unique(login_prefix)
    page = await sign_in_with_provider(person, login)
    assert page.status_code == 400
    assert f"We could not confirm the answer really came from {LABEL}" in visible_text(page)
    assert await users_with_email(db, f"{login}@example.test") == []


async def test_a_wrong_state_is_refused(oidc_app, person, db):
    login = unique("dan-")
    callback = await authorize(person, login)
    page = await person.get(with_state(callback, "not-the-state-we-sent"))
    assert page.status_code == 400 and "This sign-in has expired or was already used" in visible_text(page)
    async with browser(oidc_app) as stranger:  # the right URL in a browser that did not start the dance
        page = await stranger.get(callback)
    assert page.status_code == 400
    assert await users_with_email(db, f"{login}@example.test") == []


async def test_a_replayed_code_is_refused(oidc_app, person):
    callback = await authorize(person, unique("eve-"))
    cookie = dance_cookie(person)
    assert (await person.get(callback)).status_code == 200
    again = await person.get(callback)  # the dance is over in this browser
    assert again.status_code == 400 and "already used" in visible_text(again)
    async with browser(oidc_app) as replay:  # even with the old dance cookie, the provider refuses the code
        page = await replay.get(callback, headers={"Cookie": f"{DANCE_COOKIE}={cookie}"})
    assert page.status_code == 400 and f"{LABEL} refused the sign-in" in visible_text(page)


async def test_cancelling_at_the_provider(person):
    page = await person.get(f"{APP_BASE_URL}/auth/oidc/{PROVIDER_NAME}/login")
    cancelled = await person.get(f"{page.url.copy_with(query=None)}/abort")
    assert cancelled.url.path == f"/auth/oidc/{PROVIDER_NAME}/callback"
    assert parse_qs(cancelled.url.query.decode())["error"] == ["access_denied"]
    assert cancelled.status_code == 400 and f"You cancelled signing in at {LABEL}" in visible_text(cancelled)


async def test_a_provider_that_cannot_be_reached(person):
    page = await person.get(f"{APP_BASE_URL}/auth/oidc/deadop/login")
    assert page.status_code == 502 and "Deadop cannot be reached at the moment" in visible_text(page)


async def test_a_provider_that_goes_down_before_the_code_is_exchanged(database_url, var_dir, connection, tmp_path):
    with running_provider(tmp_path, PROVIDER_NAME) as provider:
        settings = provider_settings(database_url, var_dir, {PROVIDER_NAME: provider.issuer})
        app = create_app(settings, sessionmaker=make_sessionmaker(connection, join_transaction_mode="create_savepoint"))
        async with browser(app) as client:
            callback = await authorize(client, unique("fay-"))
            stop(provider.process)
            page = await client.get(callback)
    assert page.status_code == 502 and f"{LABEL} cannot be reached" in visible_text(page)


async def test_unknown_provider_is_not_found(person):
    for step in ("login", "callback"):
        assert (await person.get(f"{APP_BASE_URL}/auth/oidc/nobody/{step}")).status_code == 404


async def test_a_disabled_account_cannot_sign_in(person, db):
    login = unique("gus-")
    user = await make_user(db, email=f"{login}@example.test")
    db.add(UserIdentity(user_id=user.id, provider=PROVIDER_NAME, subject=login))
    user.is_active = False
    await db.commit()
    page = await sign_in_with_provider(person, login)
    assert page.status_code == 403 and "This account is disabled" in visible_text(page)
    assert "Signed in as" not in visible_text(await person.get(f"{APP_BASE_URL}/"))


async def test_complete_profile_needs_a_signed_in_person(person):
    response = await person.get(f"{APP_BASE_URL}/complete-profile", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")


async def test_a_local_password_still_works_after_linking(person, db):
    login = unique("hal-")
    await make_user(db, email=f"{login}@example.test")
    await db.commit()
    await sign_in_with_provider(person, login)
    response = await person.post(
        f"{APP_BASE_URL}/sign-in",
        data={"csrf_token": person.cookies[CSRF_COOKIE], "email": f"{login}@example.test", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303


async def test_complete_profile_shows_what_to_correct(person, db):
    page = await sign_in_with_provider(person, unique("ida-"))
    assert page.url.path == "/complete-profile"
    response = await person.post(
        f"{APP_BASE_URL}/complete-profile",
        data={"csrf_token": person.cookies[CSRF_COOKIE], "organisation_id": "999999", "next": "/"},
    )
    assert response.status_code == 422
    assert field_errors(response) == {"organisation_id": "Choose your organisation from the list."}
