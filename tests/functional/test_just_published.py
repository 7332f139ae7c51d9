"""After publishing a position, its author reads it at once on the key message page they
posted from: in the list when its first page has it, else above the list, marked as theirs
(app/discussion/web/just_published.py); with htmx, always above the list."""

from __future__ import annotations

from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import post_form, sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"
HTMX = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{KM}"}


async def signed_in(client, db):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def fill_the_first_page(db, consultation, settings) -> None:
    author = await make_user(db)
    for n in range(settings.page_size):
        await make_position(db, consultation, author=author, body=f"Earlier position {n}")
    await db.commit()


def position(body: str, key: str) -> dict[str, str]:
    return {"body": body, "position": "support", "submission_key": key}


async def test_a_position_the_first_page_lists_is_read_there(client, db):
    await signed_in(client, db)
    response = await post_form(client, f"{KM}/contributions", position("On the first page.", "first-page-key-01"))
    assert response.status_code == 303
    location = response.headers["location"]
    contribution_id = location.rpartition("#c")[2]
    assert location == f"{KM}#c{contribution_id}"
    page = soup(await client.get(location))
    assert page.select_one(f"#threads > #c{contribution_id}") is not None
    assert page.select_one("#just-published li") is None, "listed once, in its place"


async def test_a_position_past_the_first_page_is_shown_above_the_list(client, db, consultation, settings):
    await fill_the_first_page(db, consultation, settings)
    await signed_in(client, db)
    response = await post_form(client, f"{KM}/contributions", position("Past the first page.", "past-page-key-01"))
    location = response.headers["location"]
    contribution_id = location.rpartition("#c")[2]
    assert location == f"{KM}?published={contribution_id}#c{contribution_id}"

    page = soup(await client.get(location))
    mine = page.select_one(f"#just-published #c{contribution_id}")
    assert mine is not None and "Past the first page." in visible_text(mine)
    assert visible_text(page.select_one("#just-published h3")) == "Yours, just published"
    assert page.select_one(f"#threads #c{contribution_id}") is None
    assert len(page.select(f"[id='c{contribution_id}']")) == 1


async def test_only_its_author_sees_it_marked_as_just_published(client, db, consultation, settings):
    await fill_the_first_page(db, consultation, settings)
    await signed_in(client, db)
    response = await post_form(client, f"{KM}/contributions", position("Shared address.", "shared-key-0001"))
    location = response.headers["location"]
    await post_form(client, "/sign-out", {})
    await signed_in(client, db)  # someone else, given the address

    page = soup(await client.get(location))

    assert page.select_one("#just-published li") is None
    assert page.select_one("#just-published") is not None, "the block is there, empty, for the htmx answer"


async def test_with_htmx_the_position_goes_above_the_list_and_the_form_comes_back_empty(client, db):
    await signed_in(client, db)
    response = await post_form(
        client, f"{KM}/contributions", position("Posted with htmx.", "htmx-post-key-01"), headers=HTMX
    )
    assert response.status_code == 200
    answer = soup(response)
    block = answer.select_one("#just-published[data-hx-swap-oob=true]")
    assert block is not None and "Posted with htmx." in visible_text(block.select_one("li.contribution"))
    assert answer.select_one("[data-hx-swap-oob*='#threads']") is None, "never appended to the shared list"
    assert answer.select_one("#contribution-form textarea[name=body]").get_text() == ""


async def test_the_parameter_names_only_a_position_of_this_key_message_not_listed(client, db, consultation, settings):
    """A reply, a position elsewhere, one the first page lists (shown once, there) or nonsense
    shows nothing above the list."""
    user = await signed_in(client, db)
    elsewhere = await make_position(db, consultation, author=user, ref="RT2-KM1", body="Elsewhere.")
    listed = await make_position(db, consultation, author=user, body="Listed.", position="neutral")
    reply = await make_reply(db, author=user, parent=listed, body="My reply.")
    await fill_the_first_page(db, consultation, settings)
    here = await make_position(db, consultation, author=user, body="Here.")
    await db.commit()

    for named in (str(elsewhere.id), str(reply.id), str(listed.id), "x", "99999999999"):
        page = soup(await client.get(f"{KM}?published={named}"))
        assert page.select_one("#just-published li") is None, named
    assert soup(await client.get(f"{KM}?published={here.id}")).select_one(f"#just-published #c{here.id}") is not None
    assert soup(await client.get(f"{KM}?published={here.id}&sort=newest")).select_one("#just-published li") is None
