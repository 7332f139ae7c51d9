"""Choosing how a contribution may be published, and who then sees what."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.discussion.models import Contribution, PublicationConsent
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM2"
HTMX = {"HX-Request": "true"}


async def form_key(client) -> str:  # type: ignore[no-untyped-def]
    form = soup(await client.get(KM)).select_one("form[action$='/contributions']")
    return form.select_one("input[name=submission_key]")["value"]


async def test_the_form_offers_the_four_choices_named_first(client, db, consultation):
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    choices = soup(await client.get(KM)).select("#field-publication input[name=publication]")
    assert [c["value"] for c in choices] == ["named", "organisation_only", "anonymous", "not_for_publication"]
    assert [c.has_attr("checked") for c in choices] == [True, False, False, False]


async def test_organisation_only_needs_an_organisation(client, db, consultation):
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    fields = {
        "position": "support",
        "body": "Kept text.",
        "organisation_id": "personal",
        "publication": "organisation_only",
        "submission_key": await form_key(client),
    }
    response = await post_form(client, f"{KM}/contributions", fields)
    assert response.status_code == 422
    assert "publish it under" in field_errors(response)["publication"]
    page = soup(response)
    assert page.select_one("#field-body").get_text() == "Kept text."
    assert page.select_one("input[name=publication][value=organisation_only]").has_attr("checked")


async def test_an_author_reads_their_own_contribution_not_for_publication(client, other_client, db, consultation):
    author = await make_user(db, name="Ibrahim Touré")
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    fields = {
        "position": "oppose",
        "body": "For the negotiators only.",
        "publication": "not_for_publication",
        "submission_key": await form_key(client),
    }
    published = await post_form(client, f"{KM}/contributions", fields, headers=HTMX)
    assert published.status_code == 200
    assert "Not for publication" in published.text and "For the negotiators only." in published.text
    contribution = await db.scalar(select(Contribution).where(Contribution.body_source == "For the negotiators only."))
    assert contribution.publication is PublicationConsent.NOT_FOR_PUBLICATION
    own_page = await client.get(f"/contributions/{contribution.id}")
    assert own_page.status_code == 200 and "For the negotiators only." in own_page.text

    assert (await other_client.get(f"/contributions/{contribution.id}")).status_code == 404
    assert "For the negotiators only." not in (await other_client.get(KM)).text
    await sign_in(other_client, negotiator.email, PASSWORD)
    negotiators_page = await other_client.get(KM)
    assert "For the negotiators only." in negotiators_page.text and "Ibrahim Touré" in negotiators_page.text


async def test_moderators_see_who_wrote_an_anonymous_contribution_marked_as_withheld(client, db, consultation):
    organisation = await make_organisation(db, name="Comité des Maliens")
    author = await make_user(db, organisation=organisation, name="Oumar Sidibé")
    anonymous = await make_position(db, consultation, author=author, ref="RT2-KM2", publication="anonymous")
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    assert "Oumar Sidibé" not in (await client.get(KM)).text
    await sign_in(client, moderator.email, PASSWORD)
    item = soup(await client.get(KM)).select_one(f"#c{anonymous.id}")
    byline = " ".join(item.select_one(".meta").get_text(" ").split())
    assert "Oumar Sidibé" in byline and "Comité des Maliens" in byline
    assert "Published without the name: shown to moderators only" in byline


async def unpublished_thread(db, consultation):  # type: ignore[no-untyped-def]
    """An unpublished position, a public reply to it, and a public answer to that reply."""
    author = await make_user(db, name="Ibrahim Touré")
    root = await make_position(
        db, consultation, author=author, ref="RT2-KM2", body="Kept back.", publication="not_for_publication"
    )
    reply = await make_reply(
        db, author=await make_user(db), parent=root, body="A public reply.", topics=("remittances",)
    )
    answer = await make_reply(db, author=await make_user(db), parent=reply, body="A public answer.")
    await db.commit()
    return root, reply, answer


def links_to(response, contribution_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Links and htmx requests that lead to the contribution's page or one of its actions."""
    pattern = re.compile(rf"^/contributions/{contribution_id}(?![0-9])")
    return [
        value
        for element in soup(response).select("[href], [action], [data-hx-get], [data-hx-post]")
        for attribute in ("href", "action", "data-hx-get", "data-hx-post")
        if pattern.match(value := str(element.get(attribute) or ""))
    ]


async def test_a_public_reply_does_not_lead_to_its_unpublished_parent(client, db, consultation):
    root, reply, answer = await unpublished_thread(db, consultation)
    reply_page = await client.get(f"/contributions/{reply.id}")
    assert reply_page.status_code == 200 and "A public reply." in reply_page.text
    assert links_to(reply_page, root.id) == []
    assert "In reply to an earlier contribution" in " ".join(soup(reply_page).get_text(" ").split())
    answer_page = await client.get(f"/contributions/{answer.id}")
    assert links_to(answer_page, reply.id), "a published parent is still linked"
    assert links_to(answer_page, root.id) == [], "nor is the unpublished start of the thread"
    topic_page = await client.get("/consultations/com-2013-292/topics/remittances")
    assert "A public reply." in topic_page.text
    assert links_to(topic_page, root.id) == []
    assert links_to(topic_page, reply.id)


async def test_the_unpublished_parent_is_linked_for_those_who_may_read_it(client, db, consultation):
    root, reply, _answer = await unpublished_thread(db, consultation)
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    assert links_to(await client.get(f"/contributions/{reply.id}"), root.id)
    assert links_to(await client.get("/consultations/com-2013-292/topics/remittances"), root.id)


async def test_endorsing_a_reply_under_an_unpublished_start_returns_to_a_page_that_exists(client, db, consultation):
    root, reply, _answer = await unpublished_thread(db, consultation)
    person = await make_user(db)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)
    page = await client.get(f"/contributions/{reply.id}/endorse")
    assert links_to(page, root.id) == []
    endorsed = await post_form(
        client, f"/contributions/{reply.id}/endorse", {"organisation_id": str(person.memberships[0].organisation_id)}
    )
    assert endorsed.status_code == 303
    assert (await client.get(endorsed.headers["location"])).status_code == 200


async def test_the_position_form_does_not_show_a_colleagues_unpublished_position(client, db, consultation):
    """Posting replaces the organisation's current position, so the form says there is one;
    what it says, and the way to it, stay with the negotiators."""
    organisation = await make_organisation(db)
    author = await make_user(db, organisation=organisation)
    kept = await make_position(
        db, consultation, author=author, ref="RT2-KM2", position="oppose", publication="not_for_publication"
    )
    colleague = await make_user(db, organisation=organisation)
    await db.commit()
    await sign_in(client, colleague.email, PASSWORD)
    box = soup(await client.get(KM)).select_one("#current-positions")
    assert "written by another member for the negotiators only" in box.get_text()
    assert box.select_one(".position") is None and links_to_box(box, kept.id) == []


def links_to_box(box, contribution_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [a["href"] for a in box.select("a[href]") if a["href"].split("#")[0] == f"/contributions/{contribution_id}"]
