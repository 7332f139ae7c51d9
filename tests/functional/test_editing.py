"""Authors editing within the window, the history of every version, withdrawing, and the
list of one's own contributions, over HTTP without JavaScript."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.discussion.models import ContributionRevision, ContributionStatus
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def own_position(client, db, consultation, **draft):
    author = await signed_in(client, db)
    contribution = await make_position(db, consultation, author=author, **draft)
    await db.commit()
    return author, contribution


def edit_form_values(response) -> dict[str, str]:
    page = soup(response)
    checked = page.select_one("input[name=position][checked]")
    return {
        "version": page.select_one("input[name=version]")["value"],
        "body": page.select_one("textarea[name=body]").get_text(),
        "position": checked["value"] if checked else "",
        "amendment_text": page.select_one("textarea[name=amendment_text]").get_text(),
        "language": page.select_one("select[name=language] option[selected]")["value"],
    }


async def revision_count(db, contribution) -> int:
    query = select(func.count()).where(ContributionRevision.contribution_id == contribution.id)
    return await db.scalar(query)


async def test_the_author_edits_and_readers_see_the_new_text_and_its_history(client, other_client, db, consultation):
    _author, contribution = await own_position(client, db, consultation, body="We support remittances.")
    assert "We support remittances." in visible_text(await other_client.get(KM))  # fragments cached now

    form = await client.get(f"/contributions/{contribution.id}/edit")
    assert form.status_code == 200
    values = edit_form_values(form)
    assert values["body"] == "We support remittances." and values["position"] == "support"
    response = await post_form(
        client, f"/contributions/{contribution.id}/edit", {**values, "body": "We support cheaper remittances."}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/contributions/{contribution.id}#c{contribution.id}"
    assert "Your changes are saved." in visible_text(await client.get(response.headers["location"]))
    page = soup(await other_client.get(KM))
    item = page.select_one(f"#c{contribution.id}")
    assert "We support cheaper remittances." in item.get_text()
    assert item.select_one(f"a.edited[href='/contributions/{contribution.id}/history']") is not None

    history = soup(await other_client.get(f"/contributions/{contribution.id}/history"))
    versions = history.select("li.version")
    assert [v.select_one("h2").get_text() for v in versions] == ["Version 2, the current one", "Version 1"]
    inserted = versions[0].select_one(".diff ins")
    assert inserted.get_text().strip() == "inserted: cheaper"
    assert inserted.select_one(".visually-hidden").get_text().strip() == "inserted:"
    assert "We support remittances." in versions[1].get_text()


async def test_the_edit_form_shows_errors_next_to_fields_and_keeps_the_text(client, db, consultation):
    _author, contribution = await own_position(client, db, consultation)
    values = edit_form_values(await client.get(f"/contributions/{contribution.id}/edit"))

    response = await post_form(
        client, f"/contributions/{contribution.id}/edit", {**values, "body": " ", "position": "nonsense"}
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"position"}
    response = await post_form(client, f"/contributions/{contribution.id}/edit", {**values, "body": "x" * 10_001})
    assert response.status_code == 422 and "the limit is" in field_errors(response)["body"]
    assert soup(response).select_one("textarea[name=body]").get_text() == "x" * 10_001
    assert await revision_count(db, contribution) == 0


async def test_a_double_submit_keeps_one_revision_and_a_stale_form_is_refused(client, db, consultation):
    _author, contribution = await own_position(client, db, consultation)
    values = edit_form_values(await client.get(f"/contributions/{contribution.id}/edit"))
    changed = {**values, "body": "Corrected once."}

    first = await post_form(client, f"/contributions/{contribution.id}/edit", changed)
    second = await post_form(client, f"/contributions/{contribution.id}/edit", changed)
    stale = await post_form(client, f"/contributions/{contribution.id}/edit", {**values, "body": "Other text."})

    assert first.status_code == second.status_code == 303
    assert stale.status_code == 422 and "changed since you opened it" in field_errors(stale)["body"]
    assert await revision_count(db, contribution) == 1


async def test_after_the_window_the_contribution_is_fixed_but_can_be_withdrawn(client, db, consultation, app):
    _author, contribution = await own_position(client, db, consultation)
    contribution.created_at = utcnow() - timedelta(minutes=app.state.settings.edit_window_minutes, seconds=1)
    await db.commit()

    refused = await client.get(f"/contributions/{contribution.id}/edit")
    posted = await post_form(client, f"/contributions/{contribution.id}/edit", {"body": "Late.", "version": "original"})

    assert refused.status_code == posted.status_code == 403
    assert "can be changed for 30 minutes after publishing" in visible_text(refused)
    box = soup(await client.get(f"/contributions/{contribution.id}")).select_one(".author-actions")
    assert box.select_one("a[href$='/edit']") is None
    assert box.select_one(f"a[href='/contributions/{contribution.id}/withdraw']") is not None


async def test_the_author_box_is_on_the_contributions_page_and_never_in_cached_lists(client, db, consultation):
    _author, contribution = await own_position(client, db, consultation)

    box = soup(await client.get(f"/contributions/{contribution.id}")).select_one(".author-actions")
    list_page = soup(await client.get(KM))

    edit_link = box.select_one(f"a[href='/contributions/{contribution.id}/edit']")
    assert edit_link.get_text().startswith("Edit (until ")
    assert edit_link.get_text().endswith(("(UTC+01:00))", "(UTC+02:00))"))
    assert list_page.select_one(f"a[href='/contributions/{contribution.id}/edit']") is None
    assert list_page.select_one(".author-actions") is None


async def test_others_may_not_edit_or_withdraw(client, other_client, db, consultation):
    _author, contribution = await own_position(other_client, db, consultation)
    await signed_in(client, db, role=Role.MODERATOR)

    for path in ("edit", "withdraw"):
        assert (await client.get(f"/contributions/{contribution.id}/{path}")).status_code == 403
    assert soup(await client.get(f"/contributions/{contribution.id}")).select_one(".author-actions") is None


async def test_only_the_author_learns_of_their_unpublished_contribution(client, other_client, db, consultation):
    _author, contribution = await own_position(client, db, consultation, publication="not_for_publication")
    await signed_in(other_client, db)

    assert (await client.get(f"/contributions/{contribution.id}/edit")).status_code == 200
    for path in ("edit", "withdraw", "history"):
        assert (await other_client.get(f"/contributions/{contribution.id}/{path}")).status_code == 404
    # Its author reads it on its page, linked from their list of contributions.
    assert (await client.get(f"/contributions/{contribution.id}")).status_code == 200
    assert (await client.get(f"/contributions/{contribution.id}/history")).status_code == 200
    own = soup(await client.get("/account/contributions"))
    assert own.select_one(f"#own-{contribution.id} h2 a[href='/contributions/{contribution.id}#c{contribution.id}']")


async def test_withdrawing_leaves_a_marker_and_keeps_the_replies(client, other_client, db, consultation):
    _author, contribution = await own_position(client, db, consultation, body="A text I regret.")
    await make_reply(db, author=await make_user(db), parent=contribution, body="A reply that stays.")
    await db.commit()

    confirm = await client.get(f"/contributions/{contribution.id}/withdraw")
    assert confirm.status_code == 200
    assert soup(confirm).select_one(f"form[action='/contributions/{contribution.id}/withdraw'] button") is not None
    response = await post_form(client, f"/contributions/{contribution.id}/withdraw", {})

    assert response.status_code == 303
    text = visible_text(await other_client.get(KM))
    assert "Withdrawn by its author." in text and "A reply that stays." in text and "I regret" not in text
    box = soup(await client.get(f"/contributions/{contribution.id}")).select_one(".author-actions")
    assert box.select_one("a[href$='/withdraw']") is None and box.select_one("a[href$='/edit']") is None
    again = await post_form(client, f"/contributions/{contribution.id}/withdraw", {})
    assert again.status_code == 403 and "already withdrawn" in visible_text(again)


async def test_the_history_of_a_removed_contribution_shows_texts_to_moderators_only(
    client, other_client, db, consultation
):
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author, body="Removed words.")
    contribution.status, contribution.moderation_reason = ContributionStatus.HIDDEN, "Off topic."
    await db.commit()
    await signed_in(other_client, db, role=Role.MODERATOR)

    public = await client.get(f"/contributions/{contribution.id}/history")
    moderator = await other_client.get(f"/contributions/{contribution.id}/history")

    assert public.status_code == 200 and "Removed words." not in public.text
    assert "A moderator removed it" in visible_text(public)
    assert "Removed words." in visible_text(moderator)


async def test_the_history_never_names_an_anonymous_author(client, db, consultation):
    author = await make_user(db, name="Secret Person")
    contribution = await make_position(db, consultation, author=author, publication="anonymous")
    await db.commit()

    page = await client.get(f"/contributions/{contribution.id}/history")

    assert page.status_code == 200
    assert "Secret Person" not in page.text and "Anonymous contribution" in visible_text(page)


async def test_publishing_says_until_when_it_can_be_edited(client, db):
    await signed_in(client, db)
    response = await post_form(
        client, f"{KM}/contributions", {"position": "support", "body": "Fresh.", "submission_key": "fresh-key-01"}
    )
    flash = soup(await client.get(response.headers["location"])).select_one(".flash").get_text()
    assert "Your contribution is published." in flash and "You can still edit it until" in flash


@pytest.fixture
def small_pages(app, settings):
    app.state.settings = replace(settings, page_size=3)


async def test_my_contributions_lists_mine_newest_first_a_page_at_a_time(client, db, consultation, small_pages):
    author = await signed_in(client, db)
    mine = [await make_position(db, consultation, author=author, body=f"Mine {n}") for n in range(4)]
    old = mine[0]
    old.created_at = utcnow() - timedelta(days=1)
    await make_position(db, consultation, author=await make_user(db), body="Not mine")
    await db.commit()

    first = soup(await client.get("/account/contributions"))
    items = first.select(".own-contributions > li")
    second = soup(await client.get("/account/contributions" + first.select_one("a[href^='?before=']")["href"]))

    assert [li["id"] for li in items] == [f"own-{c.id}" for c in reversed(mine[1:])]
    assert items[0].select_one(f"a[href='/contributions/{mine[3].id}/edit']") is not None
    [older] = second.select(".own-contributions > li")
    assert older["id"] == f"own-{old.id}" and older.select_one("a[href$='/edit']") is None
    assert older.select_one(f"a[href='/contributions/{old.id}/withdraw']") is not None
    assert second.select_one("a[href^='?before=']") is None
    assert "Not mine" not in first.get_text() + second.get_text()
