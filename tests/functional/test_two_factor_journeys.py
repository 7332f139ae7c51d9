"""Two-factor through the site: set it up, sign in with it, and roles that require it."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.db import utcnow
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text


def code_for(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(utcnow(), counter_offset=offset)


async def first_step(client, user):
    response = await post_form(
        client, "/sign-in", {"email": user.email, "password": PASSWORD, "next": "/account/two-factor"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/sign-in/two-factor"
    return response


async def set_up_two_factor(client) -> tuple[str, list[str]]:
    """Through the set-up page, as a person with an authenticator app would."""
    page = await client.get("/account/two-factor")
    assert page.status_code == 200 and soup(page).select_one("svg") is not None
    secret = soup(page).select_one("code.secret").get_text().replace(" ", "")
    wrong = await post_form(client, "/account/two-factor", {"code": "12345"})
    assert wrong.status_code == 422 and "code" in field_errors(wrong)
    done = await post_form(client, "/account/two-factor", {"code": code_for(secret)})
    assert done.status_code == 200
    codes = [code.get_text() for code in soup(done).select(".recovery-codes code")]
    assert len(codes) == 10
    return secret, codes


async def test_set_up_then_sign_in_with_a_code_or_a_recovery_code_once(client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    secret, codes = await set_up_two_factor(client)
    assert "unused recovery codes" in visible_text(await client.get("/account/two-factor"))
    await post_form(client, "/sign-out", {})

    await first_step(client, user)
    assert "Signed in as" not in visible_text(await client.get("/"))  # no session yet
    wrong = await post_form(client, "/sign-in/two-factor", {"code": "000000x"})
    assert wrong.status_code == 422 and "code" in field_errors(wrong)
    right = await post_form(client, "/sign-in/two-factor", {"code": code_for(secret, 1)})
    assert right.status_code == 303 and right.headers["location"] == "/account/two-factor"
    assert "Signed in as" in visible_text(await client.get("/"))
    await post_form(client, "/sign-out", {})

    await first_step(client, user)
    assert (await post_form(client, "/sign-in/two-factor", {"code": codes[0]})).status_code == 303
    await post_form(client, "/sign-out", {})
    await first_step(client, user)
    again = await post_form(client, "/sign-in/two-factor", {"code": codes[0]})
    assert again.status_code == 422
    tags = (await db.scalars(select(AuditEvent.tag).where(AuditEvent.subject_user_id == user.id))).all()
    assert {"accounts:two_factor:enable", "accounts:two_factor:recovery_code_used", "accounts:user:sign_in"} <= set(
        tags
    ) and "accounts:two_factor:verify_failed" in tags


async def test_wrong_codes_are_throttled(client, db):
    user = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await first_step(client, user)
    for _ in range(5):
        assert (await post_form(client, "/sign-in/two-factor", {"code": "999999x"})).status_code == 422
    blocked = await post_form(client, "/sign-in/two-factor", {"code": code_for(user.totp_secret)})
    assert blocked.status_code == 422 and "Too many wrong codes" in field_errors(blocked)["code"]


async def test_the_second_step_needs_the_first(client):
    response = await client.get("/sign-in/two-factor")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    client.cookies.set("rt_second_factor", "forged.value.here")
    forged = await post_form(client, "/sign-in/two-factor", {"code": "123456"})
    assert forged.status_code == 303 and forged.headers["location"] == "/sign-in"


async def test_a_moderator_without_two_factor_is_told_to_set_it_up_and_then_can_hide(client, db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR, two_factor=False)
    contribution = await make_position(db, consultation, author=await make_user(db), body="Rude words")
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)  # no second step yet
    url = f"/contributions/{contribution.id}/moderate"
    home = await client.get("/")
    assert soup(home).select_one("main .notice a[href='/account/two-factor']") is not None
    refused = await client.get(url)
    assert refused.status_code == 403
    assert soup(refused).select_one("main a[href='/account/two-factor']") is not None
    hide = await post_form(client, url, {"action": "hide", "reason": "Rude to others."})
    assert hide.status_code == 403

    await set_up_two_factor(client)
    assert (await post_form(client, url, {"action": "hide", "reason": "Rude to others."})).status_code == 303
    assert soup(await client.get("/")).select_one("main .notice") is None
