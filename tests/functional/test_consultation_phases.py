"""Phases in Brussels time: a consultation opens and closes at instants; before and after,
nothing is written, the forms are gone and the pages say when it opens or when it closed.
Moderators still moderate and negotiators still export."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.discussion.models import Attachment, AttachmentChunk, Contribution, ContributionStatus, Endorsement
from app.i18n import format_instant_brussels
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import download_export, hidden_fields, post_form, sign_in, soup, visible_text

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM3"
#: 30 September 2013, 24:00 in Brussels (CEST): the end of the day the seed's text names.
CLOSED_2013 = datetime(2013, 9, 30, 22, 0, tzinfo=UTC)
#: Noon in Brussels summer time, far ahead.
OPENS = datetime(2099, 7, 1, 10, 0, tzinfo=UTC)
OPENS_WHEN = "July 1, 2099, 12:00 CEST (UTC+02:00)"


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def count(db, model) -> int:
    return await db.scalar(select(func.count()).select_from(model))


async def test_observed_a_consultation_past_its_closing_accepted_positions(client, db, consultation):
    """Issue 8: the seed showed "Open" with 21 June - 30 September 2013 and took positions."""
    consultation.closes_at = CLOSED_2013
    await signed_in(client, db)
    response = await post_form(
        client, f"{KM}/contributions", {"body": "Years late.", "position": "support", "submission_key": "late-0001"}
    )
    assert response.status_code in (403, 409)
    assert "Years late." not in visible_text(await client.get(KM))


async def test_the_seed_ships_open_without_a_closing_and_takes_positions(client, db):
    home = soup(await client.get("/"))
    assert " ".join(home.select_one(".consultation-card .phase").get_text().split()) == "Open for contributions"
    assert "September 2013" not in home.select_one(".consultation-card .status").get_text()
    await signed_in(client, db)
    data = {"body": "Today.", "position": "support", "submission_key": "today-0001"}
    assert (await post_form(client, f"{KM}/contributions", data)).status_code == 303


async def test_the_closing_instant_is_shown_in_brussels_time_with_its_offset(client, db, consultation):
    consultation.closes_at = datetime(2099, 1, 15, 11, 0, tzinfo=UTC)  # winter: UTC+01:00
    await db.commit()
    home = soup(await client.get("/"))
    assert " ".join(home.select_one(".consultation-card .phase").get_text().split()) == (
        "Open for contributions until January 15, 2099, 12:00 CET (UTC+01:00)"
    )
    page = soup(await client.get(f"/consultations/{SLUG}"))
    assert "January 15, 2099, 12:00 CET (UTC+01:00)" in page.select_one(".status .phase").get_text()


@pytest.fixture
async def closed(db, consultation):
    """A position and a reply from before the deadline; the consultation closed since."""
    author = await make_user(db)
    position = await make_position(db, consultation, author=author, body="Said in time.")
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    await db.commit()
    return author, position


async def test_a_closed_consultation_refuses_every_write_and_says_when(client, db, consultation, closed):
    author, position = closed
    organisation_id = author.memberships[0].organisation_id
    await sign_in(client, author.email, PASSWORD)
    when = consultation.closes_at
    before = (await count(db, Contribution), await count(db, Endorsement))
    refused = [
        await post_form(
            client, f"{KM}/contributions", {"body": "Late.", "position": "oppose", "submission_key": "x" * 12}
        ),
        await client.get(f"/contributions/{position.id}/reply"),
        await post_form(client, f"/contributions/{position.id}/replies", {"body": "Late.", "submission_key": "y" * 12}),
        await client.get(f"/contributions/{position.id}/endorse"),
        await post_form(client, f"/contributions/{position.id}/endorse", {"organisation_id": str(organisation_id)}),
        await post_form(client, f"/contributions/{position.id}/endorsements/{organisation_id}/withdraw", {}),
    ]
    for response in refused:
        assert response.status_code == 403, response.request.url
        page = soup(response)
        assert page.select_one("h1").get_text() == "This consultation is closed"
        assert "This consultation closed on " in page.select_one(".phase").get_text()
        assert page.select_one(f"a[href='/consultations/{SLUG}']") is not None
    assert format_instant_brussels(when) in visible_text(refused[0])
    for response in [
        await client.get(f"/contributions/{position.id}/edit"),
        await post_form(client, f"/contributions/{position.id}/edit", {"body": "Changed.", "version": "original"}),
        await client.get(f"/contributions/{position.id}/withdraw"),
        await post_form(client, f"/contributions/{position.id}/withdraw", {}),
    ]:
        assert response.status_code == 403, response.request.url
        assert f"The consultation closed on {format_instant_brussels(when)}" in visible_text(response)
    assert (await count(db, Contribution), await count(db, Endorsement)) == before
    await db.refresh(position)
    assert position.body_source == "Said in time." and position.status is ContributionStatus.VISIBLE


async def test_an_htmx_post_after_the_closing_reloads_the_page_that_now_says_so(client, db, closed):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"body": "Just late.", "position": "support", "submission_key": "htmx-late-01"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{KM}"},
    )
    assert response.status_code == 403 and response.headers["HX-Redirect"] == KM
    reloaded = soup(await client.get(response.headers["HX-Redirect"]))
    assert "This consultation closed on" in reloaded.select_one("#contribute .phase").get_text()


async def test_a_closed_consultation_refuses_a_paper_and_keeps_none(client, db, closed):
    before = await papers_and_chunks(db)
    await signed_in(client, db)
    form = {**await hidden_fields(client), "submission_key": secrets.token_hex(8), "position": "support"}
    response = await client.post(
        f"{KM}/contributions",
        data={**form, "body": "See our paper."},
        files={"attachment": ("Paper.pdf", tiny_pdf(), "application/pdf")},
    )
    assert response.status_code == 403 and "This consultation closed on" in visible_text(response)
    assert await papers_and_chunks(db) == before


async def papers_and_chunks(db) -> tuple[int, int]:
    return (
        await db.scalar(select(func.count()).select_from(Attachment)),
        await db.scalar(select(func.count()).select_from(AttachmentChunk)),
    )


async def test_a_closed_consultation_shows_no_forms_nor_actions(client, db, closed):
    author, position = closed
    for reader in (None, author):
        if reader is not None:
            await sign_in(client, reader.email, PASSWORD)
        page = soup(await client.get(KM))
        assert page.select_one("form[action$='/contributions']") is None
        assert "This consultation closed on" in page.select_one("#contribute .phase").get_text()
        assert page.select_one("#contribute a[href^='/sign-in']") is None  # signing in would not help
        thread = soup(await client.get(f"/contributions/{position.id}"))
        assert thread.select(f"a[href='/contributions/{position.id}/reply']") == []
        assert thread.select(f"a[href='/contributions/{position.id}/endorse']") == []
    # Its author sees why it cannot be changed any more, and no Edit or Withdraw link.
    assert thread.select(f"a[href='/contributions/{position.id}/edit']") == []
    assert thread.select(f"a[href='/contributions/{position.id}/withdraw']") == []
    assert "The consultation closed on" in thread.select_one(".author-actions").get_text()


async def test_after_closing_a_moderator_still_hides_and_a_negotiator_still_exports(client, other_client, db, closed):
    _author, position = closed
    await signed_in(client, db, role=Role.MODERATOR, with_organisation=False)
    response = await post_form(
        client, f"/contributions/{position.id}/moderate", {"action": "hide", "reason": "Off topic."}
    )
    assert response.status_code == 303
    assert "Removed by a moderator. Reason: Off topic." in visible_text(await other_client.get(KM))

    await signed_in(other_client, db, role=Role.NEGOTIATOR, with_organisation=False)
    assert soup(await other_client.get(f"/consultations/{SLUG}")).select_one(f"a[href='/consultations/{SLUG}/export']")
    exported = json.loads((await download_export(other_client, db, f"/consultations/{SLUG}", "json")).content)
    assert exported["consultation"]["status"] == "closed"
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [km] = [m for m in rt2["key_messages"] if m["ref"] == "RT2-KM3"]
    assert [c["id"] for c in km["contributions"]] == [position.id]


async def test_an_upcoming_consultation_says_when_it_opens(client, db, consultation):
    author = await make_user(db)
    position = await make_position(db, consultation, author=author)  # from an earlier phase
    consultation.opens_at = OPENS
    await db.commit()
    home = soup(await client.get("/"))
    assert " ".join(home.select_one(".consultation-card .phase").get_text().split()) == f"Opens on {OPENS_WHEN}"
    await sign_in(client, author.email, PASSWORD)
    page = soup(await client.get(KM))
    assert page.select_one("form[action$='/contributions']") is None
    assert f"This consultation opens on {OPENS_WHEN}" in page.select_one("#contribute .phase").get_text()
    response = await post_form(
        client, f"{KM}/contributions", {"body": "Early.", "position": "support", "submission_key": "early-0001"}
    )
    assert response.status_code == 403
    assert soup(response).select_one("h1").get_text() == "This consultation is not open yet"
    assert f"This consultation opens on {OPENS_WHEN}" in visible_text(response)
    withdraw = await post_form(client, f"/contributions/{position.id}/withdraw", {})
    assert withdraw.status_code == 403 and f"The consultation opens on {OPENS_WHEN}" in visible_text(withdraw)


async def test_it_opens_and_closes_on_the_instant(client, db, consultation):
    """The clock decides, not a stored word: the same row is upcoming, open, then closed."""
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    now = utcnow()
    data = {"body": "On time.", "position": "support"}
    for opens, closes, expected in [
        (now + timedelta(minutes=5), None, 403),
        (now - timedelta(minutes=5), now + timedelta(minutes=5), 303),
        (now - timedelta(minutes=10), now - timedelta(microseconds=1), 403),
    ]:
        consultation.opens_at, consultation.closes_at = opens, closes
        await db.commit()
        response = await post_form(client, f"{KM}/contributions", {**data, "submission_key": secrets.token_hex(8)})
        assert response.status_code == expected
