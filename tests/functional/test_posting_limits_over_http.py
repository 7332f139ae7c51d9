"""Posting limits over HTTP: a refusal says why next to the text, and the text is kept.

The site here allows 2 contributions a minute and no repeated text within 10 minutes (the
other tests run with the limits off; see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.main import create_app
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"


@pytest.fixture
async def limited(settings, connection) -> AsyncIterator[httpx.AsyncClient]:
    strict = replace(settings, posting_limit_per_minute=2, duplicate_text_window_minutes=10)
    app = create_app(strict, sessionmaker=_sessionmaker(connection))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def signed_in(client, db):
    user = await make_user(db, with_organisation=False)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


def position(body: str, key: str) -> dict[str, str]:
    return {"body": body, "position": "oppose", "submission_key": key}


async def test_a_third_contribution_within_a_minute_is_refused_and_the_text_kept(limited, db):
    await signed_in(limited, db)
    for number in (1, 2):
        accepted = await post_form(limited, f"{KM}/contributions", position(f"Point {number}.", f"limit-key-{number}"))
        assert accepted.status_code == 303
    text = "A third point I took a while to write."
    refused = await post_form(limited, f"{KM}/contributions", position(text, "limit-key-3"))
    assert refused.status_code == 422
    message = field_errors(refused)["body"]
    assert message.startswith("You can publish 2 contributions a minute. Your text is kept: publish it again in")
    page = soup(refused)
    assert page.select_one("textarea[name=body]").get_text() == text
    assert page.select_one("#position-oppose").has_attr("checked")


async def test_the_same_text_again_is_refused_with_a_clear_message(limited, db):
    await signed_in(limited, db)
    text = "We oppose this wording."
    assert (await post_form(limited, f"{KM}/contributions", position(text, "same-text-1"))).status_code == 303
    again = await post_form(limited, f"{KM}/contributions", position(text, "same-text-2"))
    assert again.status_code == 422
    assert "You published this same text less than 10 minutes ago" in field_errors(again)["body"]
    assert soup(again).select_one("textarea[name=body]").get_text() == text


async def test_a_resent_form_at_the_limit_returns_the_original(limited, db):
    """A double click or a retry resends the form's key: the person gets their contribution,
    not a refusal, and it is not counted again."""
    await signed_in(limited, db)
    first = await post_form(limited, f"{KM}/contributions", position("Sent once.", "resend-key-1"))
    assert (await post_form(limited, f"{KM}/contributions", position("Sent twice.", "resend-key-2"))).status_code == 303
    resent = await post_form(limited, f"{KM}/contributions", position("Sent once.", "resend-key-1"))
    assert resent.status_code == 303
    assert resent.headers["location"] == first.headers["location"]


async def test_replies_count_too_and_the_reply_form_keeps_the_text(limited, db, consultation):
    await signed_in(limited, db)
    parent = await make_position(db, consultation, author=await make_user(db), body="A position to answer.")
    await db.commit()
    reply = {"body": "I agree with this.", "submission_key": "reply-key-1"}
    assert (await post_form(limited, f"/contributions/{parent.id}/replies", reply)).status_code == 303
    again = await post_form(limited, f"/contributions/{parent.id}/replies", {**reply, "submission_key": "reply-key-2"})
    assert again.status_code == 422
    assert "less than 10 minutes ago" in field_errors(again)[f"body-{parent.id}"]
    assert soup(again).select_one("textarea[name=body]").get_text() == "I agree with this."


async def test_an_htmx_refusal_comes_back_in_the_form(limited, db):
    await signed_in(limited, db)
    headers = {"HX-Request": "true"}
    await post_form(limited, f"{KM}/contributions", position("Once via htmx.", "htmx-limit-1"), headers=headers)
    again = await post_form(limited, f"{KM}/contributions", position("Once via htmx.", "htmx-limit-2"), headers=headers)
    assert again.status_code == 422
    page = soup(again)
    assert page.select_one("html") is None, "the form fragment, not a page"
    assert "less than 10 minutes ago" in field_errors(again)["body"]
    assert page.select_one("textarea[name=body]").get_text() == "Once via htmx."
