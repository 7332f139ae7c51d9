"""No input breaks a page, found by Hypothesis: every route of the app (a new route joins by
itself), as each role, with generated path values (huge, negative, unicode, control
characters), query strings and form bodies (with a valid CSRF token, so forms get past the
check and reach the views). Every answer is below 500 and carries the secure headers.

One example sends one request to every route, so each route gets `EXAMPLES` requests per
role; the signed-in browser is shared by the examples of a role (the function-scoped fixture
health check is suppressed for that reason, and the walker signs in again if a generated
form signed it out)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Mount, Route

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, start_session
from app.security.csrf import COOKIE_NAME
from app.security.headers import SECURE_HEADERS
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import csrf_token, form_guard_fields, sign_in

#: Requests per route and role: about a minute per database with about 90 routes and 5 roles
#: (each request takes some 50 ms). NO_500_EXAMPLES=25 searches harder, for a longer run.
EXAMPLES = int(os.environ.get("NO_500_EXAMPLES", "3"))
ROLES = ["anonymous", "participant", "moderator", "negotiator", "admin"]
#: Forms that would end the walker's session are sent last in each example.
LAST = {"sign_out", "sign_out_everywhere", "delete_account"}
#: Field names the site's forms read, plus one it never reads.
FIELDS = (
    "action amendment_text as_admin body code contributions country description display_name ecosoc_status email "
    "language message name new_email next note org_country org_name org_type organisation_id origin_countries "
    "password password_confirm position publication quote_start quote_text reason request_id role submission_key "
    "token topics transparency_register_id type user_id version website form_stamp homepage unknown"
).split()
QUERY_KEYS = (
    "after before sort topic v q next token tag email since until format page"
    " roundtable key_message type region position verified view"
).split()

texts = st.text(st.characters(codec="utf-8"), max_size=40)
numbers = st.integers(-(10**25), 10**25).map(str)
edge_numbers = st.sampled_from(["0", "-1", "9223372036854775807", "9223372036854775808", "1e3", "٣", "0x10", ""])
values = st.one_of(texts, numbers, edge_numbers, st.sampled_from(["support", "oppose", "named", "en", "grant"]))


@dataclass(frozen=True)
class Walked:
    name: str
    path: str
    method: str
    params: dict[str, object]  # the convertor of each path parameter


def walked_routes(routes, prefix: str = "") -> list[Walked]:  # type: ignore[no-untyped-def]
    found = []
    for route in routes:
        if isinstance(route, Mount):
            found += walked_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                params = dict(route.param_convertors)
                found.append(Walked(route.name, prefix + route.path, method, params))
    return sorted(found, key=lambda walked: walked.name in LAST)


@dataclass
class Walker:
    client: httpx.AsyncClient
    db: AsyncSession
    user: User | None
    real: dict[str, str]  # a value of each path parameter that names something that exists


@pytest.fixture(params=ROLES)
async def walker(request, app, client, db, consultation) -> Walker:  # type: ignore[no-untyped-def]
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author, ref="RT2-KM2")
    organisation = await make_organisation(db)
    user = None if request.param == "anonymous" else await make_user(db, role=Role(request.param))
    await db.commit()
    if user is not None:
        await sign_in(client, user.email, PASSWORD)
    real = {
        "slug": consultation.slug,
        "ref": "RT2-KM2",
        "contribution_id": str(contribution.id),
        "user_id": str(author.id),
        "organisation_id": str(organisation.id),
        "topic_slug": "remittances",
        "start": "0",
        "end": "5",
        "format": "json",
    }
    return Walker(client, db, user, real)


def path_value(name: str, walker: Walker) -> st.SearchStrategy[str]:
    choices = [texts, numbers, edge_numbers]
    if name in walker.real:
        choices.insert(0, st.just(walker.real[name]))
    return st.one_of(*choices)


def url_for(route: Walked, draw, walker: Walker) -> str:  # type: ignore[no-untyped-def]
    path = route.path
    for name in route.params:
        value = quote(draw(path_value(name, walker)), safe="") or "x"  # quoted as a browser sends it
        path = re.sub(rf"{{{name}(:\w+)?}}", lambda _match, value=value: value, path)
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS) | texts, values, max_size=4))
    return path + ("?" + urlencode(query) if query else "")


async def still_signed_in(walker: Walker) -> None:
    """A generated form may have signed the walker out: start a new session, as signing in
    does (signing in again would soon run out of one-time codes)."""
    if walker.user is None or (await walker.client.get("/account")).status_code == 200:
        return
    token = await start_session(walker.db, walker.user, max_age_seconds=3600)
    await walker.db.commit()
    walker.client.cookies.set(SESSION_COOKIE, token)


def assert_sound(response: httpx.Response, route: Walked) -> None:
    where = f"{route.method} {response.request.url} ({route.name})"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    for name, value in SECURE_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), f"{where}: no {name.decode()}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_input_makes_a_route_fail(app, walker, data):
    await still_signed_in(walker)
    client = walker.client
    for route in walked_routes(app.routes):
        url = url_for(route, data.draw, walker)
        if route.method == "GET":
            response = await client.get(url)
        else:
            drawn = data.draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6))
            token = client.cookies.get(COOKIE_NAME) or await csrf_token(client)
            # The anti-bot fields a page's form carries, unless drawn: the views behind them run.
            form = {**form_guard_fields(token), **drawn, "csrf_token": token}
            response = await client.post(url, data=form)
        assert_sound(response, route)
