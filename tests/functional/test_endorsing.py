"""Organisations endorsing contributions over HTTP: the form page, htmx in place, withdrawing."""

from __future__ import annotations

from app.discussion.endorsements import endorse
from app.discussion.models import ContributionStatus
from app.organisations.models import Membership, OrganisationType
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import csrf_token, field_errors, post_form, sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"
HTMX = {"HX-Request": "true"}


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def a_position(db, consultation, **draft):
    author = await make_user(db, name="Awa Author")
    return await make_position(db, consultation, author=author, body="Remittances must be cheaper.", **draft)


def endorsers(response, contribution_id):
    block = soup(response).select_one(f"#endorsements-{contribution_id}")
    assert block is not None, f"no endorsements block for #{contribution_id}"
    return [" ".join(li.get_text(" ").split()) for li in block.select(".endorsers li")]


async def test_a_member_endorses_without_javascript(client, db, consultation):
    organisation = await make_organisation(
        db, name="Forum des Sénégalais", type=OrganisationType.DIASPORA, country="FR"
    )
    await signed_in(client, db, organisation=organisation)
    position = await a_position(db, consultation)
    await db.commit()

    form_page = await client.get(f"/contributions/{position.id}/endorse")
    assert form_page.status_code == 200
    form = soup(form_page).select_one(f"form[action='/contributions/{position.id}/endorse']")
    [choice] = form.select("input[name=organisation_id]")
    assert choice["value"] == str(organisation.id) and choice.has_attr("checked")
    assert form.select_one("fieldset legend").get_text() == "Endorse on behalf of"

    response = await post_form(
        client, f"/contributions/{position.id}/endorse", {"organisation_id": str(organisation.id)}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/contributions/{position.id}#c{position.id}"
    thread = await client.get(response.headers["location"])
    assert "Forum des Sénégalais endorses this contribution." in visible_text(thread)
    assert "Endorsed by 1 organisation" in soup(thread).select_one(f"#endorsements-{position.id}").get_text()
    assert endorsers(thread, position.id) == ["Forum des Sénégalais (Diaspora organisation, France)"]


async def test_the_key_message_page_shows_the_new_endorsement_at_once(client, other_client, db, consultation):
    position = await a_position(db, consultation)
    await db.commit()
    assert endorsers(await other_client.get(KM), position.id) == []  # now cached for readers
    user = await signed_in(client, db)

    await post_form(
        client, f"/contributions/{position.id}/endorse", {"organisation_id": str(user.memberships[0].organisation_id)}
    )

    page = await other_client.get(KM)
    assert len(endorsers(page, position.id)) == 1
    assert "Endorsed by 1 organisation" in visible_text(page)


async def test_errors_are_shown_next_to_the_choice(client, db, consultation):
    user = await signed_in(client, db)
    position = await a_position(db, consultation)
    stranger = await make_organisation(db, name="Not Mine")
    await db.commit()
    url = f"/contributions/{position.id}/endorse"

    unchosen = await post_form(client, url, {"organisation_id": ""})
    assert unchosen.status_code == 422
    assert field_errors(unchosen) == {
        f"organisation_id-{position.id}": "Choose the organisation that endorses this contribution."
    }
    assert soup(unchosen).select_one(f".error-summary a[href='#field-organisation_id-{position.id}']") is not None
    fieldset = soup(unchosen).select_one(f"#field-organisation_id-{position.id}")
    assert f"field-organisation_id-{position.id}-error" in fieldset["aria-describedby"]

    assert (await post_form(client, url, {"organisation_id": "²"})).status_code == 422

    not_mine = await post_form(client, url, {"organisation_id": str(stranger.id)})
    assert not_mine.status_code == 422
    assert "organisation you belong to" in field_errors(not_mine)[f"organisation_id-{position.id}"]

    mine = str(user.memberships[0].organisation_id)
    assert (await post_form(client, url, {"organisation_id": mine})).status_code == 303
    twice = await post_form(client, url, {"organisation_id": mine})
    assert twice.status_code == 422
    assert "has already endorsed" in visible_text(twice)
    assert len(endorsers(await client.get(f"/contributions/{position.id}"), position.id)) == 1


async def test_posts_without_the_csrf_token_are_refused(client, db, consultation):
    user = await signed_in(client, db)
    position = await a_position(db, consultation)
    await db.commit()
    await csrf_token(client)
    response = await client.post(
        f"/contributions/{position.id}/endorse", data={"organisation_id": str(user.memberships[0].organisation_id)}
    )
    assert response.status_code == 403
    assert endorsers(await client.get(f"/contributions/{position.id}"), position.id) == []


async def test_with_htmx_the_form_opens_in_place_and_the_list_updates(client, db, consultation):
    user = await signed_in(client, db)
    position = await a_position(db, consultation)
    await db.commit()
    page = soup(await client.get(KM))
    link = page.select_one(f"#c{position.id} .actions a[href$='/endorse']")
    assert link["href"] == link["data-hx-get"] == f"/contributions/{position.id}/endorse"
    # The panel opens in the slot that follows the links (target inherited from the paragraph).
    assert link.parent["data-hx-target"] == "next .slot"
    assert link.parent.find_next_sibling("div")["class"] == ["slot"]

    panel = await client.get(link["href"], headers=HTMX)
    assert soup(panel).select_one("html") is None and soup(panel).select_one("h1") is None
    form = soup(panel).select_one("form")
    assert form["data-hx-target"] == "closest .slot"

    response = await post_form(
        client, form["action"], {"organisation_id": str(user.memberships[0].organisation_id)}, headers=HTMX
    )
    assert response.status_code == 200
    answer = soup(response)
    assert (
        answer.select_one("[role=status]").get_text()
        == f"{user.memberships[0].organisation.name} endorses this contribution."
    )
    replaced = answer.select_one(f"#endorsements-{position.id}[data-hx-swap-oob=true]")
    assert "Endorsed by 1 organisation" in replaced.get_text()


async def test_a_refused_htmx_endorsement_returns_the_panel_with_the_error(client, db, consultation):
    await signed_in(client, db)
    position = await a_position(db, consultation)
    await db.commit()
    response = await post_form(client, f"/contributions/{position.id}/endorse", {"organisation_id": ""}, headers=HTMX)
    assert response.status_code == 422
    assert soup(response).select_one("html") is None
    assert f"organisation_id-{position.id}" in field_errors(response)


async def test_a_member_withdraws_the_endorsement(client, db, consultation):
    organisation = await make_organisation(db, name="Changed Our Mind")
    await signed_in(client, db, organisation=organisation)
    position = await a_position(db, consultation)
    await db.commit()
    await post_form(client, f"/contributions/{position.id}/endorse", {"organisation_id": str(organisation.id)})

    form_page = soup(await client.get(f"/contributions/{position.id}/endorse"))
    withdraw = form_page.select_one(
        f"form[action='/contributions/{position.id}/endorsements/{organisation.id}/withdraw']"
    )
    assert withdraw.select_one("button").get_text() == "Withdraw the endorsement of Changed Our Mind"
    assert form_page.select_one(f"form[action='/contributions/{position.id}/endorse']") is None

    response = await post_form(client, withdraw["action"], {})
    assert response.status_code == 303
    thread = await client.get(response.headers["location"])
    assert "Changed Our Mind no longer endorses this contribution." in visible_text(thread)
    assert endorsers(thread, position.id) == []
    await db.refresh(position)
    assert position.endorsement_count == 0


async def test_only_members_may_withdraw(client, db, consultation):
    organisation = await make_organisation(db)
    signer = await make_user(db, organisation=organisation)
    position = await a_position(db, consultation)
    await db.commit()
    await endorse(db, user=signer, contribution=position, organisation_id=organisation.id)
    await db.commit()
    await signed_in(client, db)
    response = await post_form(client, f"/contributions/{position.id}/endorsements/{organisation.id}/withdraw", {})
    assert response.status_code == 403
    assert len(endorsers(await client.get(f"/contributions/{position.id}"), position.id)) == 1


async def test_the_page_explains_why_nothing_can_be_endorsed(client, db, consultation):
    organisation = await make_organisation(db, name="Writers Guild")
    user = await signed_in(client, db, organisation=organisation)
    own = await make_position(db, consultation, author=user, body="Our own position.")
    hidden = await a_position(db, consultation)
    hidden.status, hidden.moderation_reason = ContributionStatus.HIDDEN, "Off topic."
    await db.commit()

    own_page = await client.get(f"/contributions/{own.id}/endorse")
    assert "Writers Guild wrote this contribution, so it cannot endorse it." in visible_text(own_page)
    assert soup(own_page).select_one("form[action$='/endorse']") is None
    hidden_page = await client.get(f"/contributions/{hidden.id}/endorse")
    assert "This contribution was removed, so it cannot be endorsed." in visible_text(hidden_page)
    assert "Remittances must be cheaper." not in visible_text(hidden_page)
    refused = await post_form(client, f"/contributions/{hidden.id}/endorse", {"organisation_id": str(organisation.id)})
    assert refused.status_code == 422


async def test_people_without_an_organisation_are_told_so(client, db, consultation):
    await signed_in(client, db, with_organisation=False)
    position = await a_position(db, consultation)
    await db.commit()
    page = await client.get(f"/contributions/{position.id}/endorse")
    assert "you are not a member of one" in visible_text(page)
    page = soup(await client.get(KM))
    assert page.select_one(f"#c{position.id} .actions a[href$='/reply']") is not None
    assert page.select_one(f"#c{position.id} a[href$='/endorse']") is None, "no Endorse link without one"


async def test_an_anonymous_contributions_endorse_page_names_nobody(client, db, consultation):
    await signed_in(client, db)
    position = await a_position(db, consultation, publication="anonymous")
    await db.commit()
    text = visible_text(await client.get(f"/contributions/{position.id}/endorse"))
    assert "Anonymous contribution" in text
    assert "Awa Author" not in text and position.organisation.name not in text


async def test_a_colleague_is_refused_without_naming_the_organisation(client, db, consultation):
    """The issue's case: the refusal named the organisation behind an anonymous contribution."""
    organisation = await make_organisation(db, name="Silent Partners")
    author = await make_user(db, organisation=organisation, name="Awa Author")
    position = await make_position(db, consultation, author=author, body="Unsigned.", publication="anonymous")
    await signed_in(client, db, organisation=organisation)
    await db.commit()

    page = await client.get(f"/contributions/{position.id}/endorse")
    assert "An organisation you belong to wrote this contribution, so it cannot endorse it." in visible_text(page)
    refused = await post_form(
        client, f"/contributions/{position.id}/endorse", {"organisation_id": str(organisation.id)}
    )
    assert refused.status_code == 422
    for response in (page, refused):
        assert "Silent Partners" not in response.text and "Awa Author" not in response.text
    assert endorsers(await client.get(f"/contributions/{position.id}"), position.id) == []


async def test_readers_see_no_endorse_link(client, db, consultation):
    position = await a_position(db, consultation)
    await db.commit()
    page = soup(await client.get(KM))
    assert page.select_one(f"#c{position.id} .permalink") is not None
    assert page.select_one(f"#c{position.id} a[href$='/endorse']") is None
    response = await client.get(f"/contributions/{position.id}/endorse")
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")


async def test_many_endorsers_are_folded_after_the_first_three(client, db, consultation):
    position = await a_position(db, consultation)
    organisations = [await make_organisation(db, name=f"Endorser {n}") for n in range(1, 6)]
    user = await make_user(db, organisation=organisations[0])
    user.memberships += [Membership(organisation=o) for o in organisations[1:]]
    await db.flush()
    for organisation in organisations:
        await endorse(db, user=user, contribution=position, organisation_id=organisation.id)
    await db.commit()

    page = soup(await client.get(KM))
    block = page.select_one(f"#endorsements-{position.id}")
    assert "Endorsed by 5 organisations" in block.get_text()
    shown = block.select(":scope > ul.endorsers > li a")
    assert [a.get_text() for a in shown] == ["Endorser 1", "Endorser 2", "Endorser 3"]
    folded = block.select_one("details.more-endorsers")
    assert " ".join(folded.select_one("summary").get_text().split()) == "and 2 more organisations"
    assert [a.get_text() for a in folded.select("li a")] == ["Endorser 4", "Endorser 5"]
