"""Taking a position and replying over HTTP, with and without htmx."""

from __future__ import annotations

from app.discussion.models import ContributionStatus
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def test_signed_out_readers_are_invited_to_sign_in(client):
    page = await client.get(KM)
    assert page.status_code == 200
    assert soup(page).select_one("form[action$='/contributions']") is None
    assert soup(page).select_one("#contribute a[href^='/sign-in?next=']") is not None


async def test_errors_show_next_to_the_field_and_the_text_is_kept(client, db):
    await signed_in(client, db)
    body = "My carefully written text, " * 3
    response = await post_form(client, f"{KM}/contributions", {"body": body, "submission_key": "k" * 20})
    assert response.status_code == 422
    assert field_errors(response) == {"position": "Choose your position on this key message."}
    page = soup(response)
    assert page.select_one("textarea[name=body]").get_text() == body
    assert page.select_one(".error-summary a[href='#field-position']") is not None


async def test_too_long_a_text_is_refused_with_a_clear_error(client, db, settings):
    await signed_in(client, db)
    body = "x" * (settings.contribution_max_chars + 1)
    response = await post_form(
        client, f"{KM}/contributions", {"body": body, "position": "oppose", "submission_key": "k" * 20}
    )
    assert response.status_code == 422
    assert (
        "the limit is 10,000" in field_errors(response)["body"]
        or "the limit is 10000" in field_errors(response)["body"]
    )
    assert soup(response).select_one("#position-oppose").has_attr("checked")


async def test_a_double_submission_publishes_once(client, db):
    await signed_in(client, db)
    data = {"body": "Only once please.", "position": "neutral", "submission_key": "double-click-key"}
    first = await post_form(client, f"{KM}/contributions", data)
    second = await post_form(client, f"{KM}/contributions", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert (await client.get(KM)).text.count("Only once please.") == 1


async def test_htmx_post_returns_the_fresh_form_and_the_new_contribution(client, db):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"body": "Via htmx.", "position": "support", "submission_key": "htmx-key-0001"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    page = soup(response)
    assert page.select_one("html") is None, "a fragment, not a page"
    assert page.select_one("#contribution-form textarea[name=body]").get_text() == ""
    assert page.select_one("#contribution-form input[name=submission_key]")["value"] != "htmx-key-0001"
    appended = page.select_one("#just-published[data-hx-swap-oob] li.contribution")
    assert "Via htmx." in appended.get_text()
    assert page.select_one("#tally[data-hx-swap-oob]") is not None


async def test_htmx_error_returns_the_form_fragment(client, db):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"body": "", "position": "support", "submission_key": "htmx-key-0002"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert soup(response).select_one("html") is None
    assert "body" in field_errors(response)


async def test_reply_form_page_and_fragment(client, db, consultation):
    await signed_in(client, db)
    root = await make_position(db, consultation, author=await make_user(db))
    await db.commit()
    full = await client.get(f"/contributions/{root.id}/reply")
    assert soup(full).select_one("h1") is not None
    fragment = await client.get(f"/contributions/{root.id}/reply", headers={"HX-Request": "true"})
    assert soup(fragment).select_one("h1") is None
    assert soup(fragment).select_one(f"form[action='/contributions/{root.id}/replies']") is not None


async def test_a_hidden_contribution_shows_its_reason_and_its_replies_stay_readable(client, db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author, body="Original text")
    await make_reply(db, author=author, parent=root, body="A reply that stays")
    root.status, root.moderation_reason = ContributionStatus.HIDDEN, "Off topic."
    await db.commit()
    text = visible_text(await client.get(KM))
    assert "Removed by a moderator. Reason: Off topic." in text
    assert "Original text" not in text and "A reply that stays" in text


async def test_moderators_can_read_what_they_hid(client, db, consultation):
    root = await make_position(db, consultation, author=await make_user(db), body="Original text")
    root.status, root.moderation_reason = ContributionStatus.HIDDEN, "Off topic."
    await signed_in(client, db, role=Role.MODERATOR)
    details = soup(await client.get(KM)).select_one(f"#c{root.id} details.hidden-body")
    assert "Original text" in details.get_text()


async def test_times_are_shown_in_utc_with_the_zone(client, db, consultation):
    root = await make_position(db, consultation, author=await make_user(db))
    await db.commit()
    time = soup(await client.get(KM)).select_one(f"#c{root.id} time")
    assert time.get_text().endswith(("(UTC+01:00)", "(UTC+02:00)")) and time["datetime"].endswith("+00:00")


async def test_load_more_pages_without_and_with_htmx(client, db, consultation, settings):
    author = await make_user(db)
    for i in range(settings.page_size + 3):
        await make_position(db, consultation, author=author, body=f"Number {i}")
    await db.commit()
    page = soup(await client.get(KM))
    assert len(page.select("#threads > li.contribution")) == settings.page_size
    more = page.select_one("#more a")["href"]
    second = await client.get(KM + more)
    assert len(soup(second).select("#threads > li.contribution")) == 3
    fragment = await client.get(KM + more, headers={"HX-Request": "true"})
    assert soup(fragment).select_one("html") is None
    assert len(soup(fragment).select("li.contribution")) == 3 and soup(fragment).select_one("#more") is None


async def test_unknown_key_message_is_404(client):
    assert (await client.get("/consultations/com-2013-292/messages/RT9-KM9")).status_code == 404
    assert (await client.get("/consultations/nope/messages/RT1-KM1")).status_code == 404
    assert (await client.get("/contributions/999999")).status_code == 404


async def test_the_language_of_a_contribution_is_recorded_and_marked_up(client, db):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "body": "Nous soutenons ce message.",
            "position": "support",
            "submission_key": "lang-key-001",
            "language": "fr",
        },
    )
    contribution_id = response.headers["location"].rpartition("#c")[2]
    body = soup(await client.get(KM)).select_one(f"#c{contribution_id} .body")
    assert body["lang"] == "fr" and "Nous soutenons" in body.get_text()
    refused = await post_form(
        client,
        f"{KM}/contributions",
        {"body": "Text.", "position": "support", "submission_key": "lang-key-002", "language": "xx"},
    )
    assert field_errors(refused) == {"language": "Choose the language you wrote in."}


async def test_the_language_list_offers_each_language_in_its_own_name(client, db):
    await signed_in(client, db)
    options = soup(await client.get(KM)).select("#field-language option")
    labels = {o["value"]: o.get_text() for o in options}
    assert labels["fr"] == "français — French" and labels["en"] == "English" and labels["ar"].startswith("العربية")
    assert [o["value"] for o in options if o.has_attr("selected")] == ["en"]


async def test_a_deep_reply_is_shown_on_its_own_page_after_posting(client, db, consultation):
    """Past the depth a thread page shows, a reply would be invisible on its thread's page."""
    author = await make_user(db)
    parent = await make_position(db, consultation, author=author)
    for _ in range(5):
        parent = await make_reply(db, author=author, parent=parent)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    form = soup(await client.get(f"/contributions/{parent.id}/reply")).select_one("form[action$='/replies']")
    key = form.select_one("input[name=submission_key]")["value"]
    response = await post_form(
        client, f"/contributions/{parent.id}/replies", {"body": "Six levels down.", "submission_key": key}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    reply_id = int(location.rpartition("#c")[2])
    assert location == f"/contributions/{reply_id}#c{reply_id}"
    assert "Six levels down." in (await client.get(location)).text


async def test_the_htmx_answer_shows_what_was_written_and_a_resent_form_the_original(client, db):
    """The new item is built from what the write holds, not read back: its topics and its
    people must still be there; a form sent again is answered with the contribution it made."""
    user = await signed_in(client, db)
    data = {"body": "Tagged via htmx.", "position": "support", "submission_key": "htmx-key-topics"}
    data["topics"] = "remittances"
    first, again = [
        await post_form(client, f"{KM}/contributions", data, headers={"HX-Request": "true"}) for _ in range(2)
    ]
    for response in (first, again):
        item = soup(response).select_one("#just-published[data-hx-swap-oob] li.contribution")
        assert "Tagged via htmx." in item.get_text()
        assert [a.get_text() for a in item.select("ul.topics a")] == ["Remittances"]
        assert user.display_name in item.get_text()
    assert first.text.count("Tagged via htmx.") == again.text.count("Tagged via htmx.") == 1
