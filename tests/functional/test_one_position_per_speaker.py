"""One current position per speaker, over HTTP: an organisation's second position, whichever
member posts it, supersedes its first; the first stays readable, marked and linked; the
tally counts one; the export lists both with their statuses."""

from __future__ import annotations

import json

from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import download_export, post_form, sign_in, soup, text_of, visible_text

REF = "RT2-KM3"
KM = f"/consultations/com-2013-292/messages/{REF}"


def tally_totals(page) -> dict[str, str]:
    """The "All stakeholders" row of the position table: position -> count, and "Total"."""
    table = soup(page).select_one("#tally table.tally")
    heads = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    cells = [td.get_text(strip=True) for td in table.select("tfoot td")]
    return dict(zip(heads, cells, strict=True))


def current_positions_shown(page) -> str:
    block = soup(page).select_one("#contribution-form #current-positions")
    return "" if block is None else text_of(block)


async def post_position(client, position: str, body: str, **headers):
    page = await client.get(KM)
    key = soup(page).select_one("#contribution-form input[name=submission_key]")["value"]
    return await post_form(
        client, f"{KM}/contributions", {"position": position, "body": body, "submission_key": key}, headers=headers
    )


async def test_a_second_position_of_an_organisation_supersedes_its_first(client, other_client, db):
    organisation = await make_organisation(db, name="Sahel Migrants Association")
    first_member = await make_user(db, organisation=organisation)
    second_member = await make_user(db, organisation=organisation)
    negotiator = await make_user(db, role=Role.NEGOTIATOR, with_organisation=False)
    await db.commit()
    await sign_in(client, first_member.email, PASSWORD)
    await sign_in(other_client, second_member.email, PASSWORD)
    assert current_positions_shown(await other_client.get(KM)) == ""

    response = await post_position(client, "support", "We support this key message.")
    assert response.status_code == 303
    first_id = int(response.headers["location"].rpartition("#c")[2])
    assert tally_totals(await client.get(KM))["Total"] == "1"  # renders (and caches) the tally

    # The colleague sees the organisation's current position, and that posting replaces it.
    page = await other_client.get(KM)
    shown = current_positions_shown(page)
    assert "The position of Sahel Migrants Association: Support" in shown
    assert "Publishing a new position for the same speaker replaces it" in shown
    assert soup(page).select_one(f"#current-positions a[href^='/contributions/{first_id}']") is not None

    response = await post_position(other_client, "oppose", "On reflection we oppose it.")
    assert response.status_code == 303
    current_id = int(response.headers["location"].rpartition("#c")[2])

    # Counted once, from the cached fragments too; the earlier one is still readable.
    totals = tally_totals(await client.get(KM))
    assert (totals["Total"], totals["Support"], totals["Oppose"]) == ("1", "0", "1")
    thread = await client.get(f"/contributions/{first_id}")
    marker = soup(thread).select_one(f"#c{first_id} .superseded")
    assert "Superseded" in marker.get_text()
    assert marker.select_one("a")["href"] == f"/contributions/{current_id}#c{current_id}"
    assert "We support this key message." in visible_text(thread)
    assert soup(await client.get(f"/contributions/{current_id}")).select_one(f"#c{current_id} .superseded") is None

    # The negotiator's export lists both, with their statuses, and counts one.
    await post_form(client, "/sign-out", {})
    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, "/consultations/com-2013-292", "json")).content)
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [km] = [m for m in rt2["key_messages"] if m["ref"] == REF]
    statuses = {c["id"]: (c["position_status"], c["superseded_by"]) for c in km["contributions"]}
    assert statuses == {first_id: ("superseded", current_id), current_id: ("current", None)}
    assert km["counts"]["total"] == 1 and km["counts"]["by_position"]["oppose"] == 1


async def test_with_htmx_the_fresh_form_shows_the_new_current_position(client, db):
    member = await make_user(db, organisation=await make_organisation(db, name="Remittance Watch"))
    await db.commit()
    await sign_in(client, member.email, PASSWORD)
    await post_position(client, "support", "First.")
    response = await post_position(client, "neutral", "Second thoughts.", **{"HX-Request": "true"})
    assert response.status_code == 200
    assert "The position of Remittance Watch: Neutral" in current_positions_shown(response)
    tally = soup(response).select_one("#tally[data-hx-swap-oob]")
    assert tally.select_one("tfoot td:last-child").get_text(strip=True) == "1"


async def test_a_superseded_anonymous_position_links_to_nothing_for_the_public(client, db, consultation):
    author = await make_user(db, organisation=await make_organisation(db, name="Discreet Network"))
    anonymous = await make_position(db, consultation, author=author, ref=REF, publication="anonymous")
    named = await make_position(db, consultation, author=author, ref=REF, position="oppose")
    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    await db.commit()
    page = await client.get(f"/contributions/{anonymous.id}")
    marker = soup(page).select_one(f"#c{anonymous.id} .superseded")
    assert marker is not None and marker.select_one("a") is None
    assert f"/contributions/{named.id}" not in page.text
    await sign_in(client, moderator.email, PASSWORD)
    marker = soup(await client.get(f"/contributions/{anonymous.id}")).select_one(f"#c{anonymous.id} .superseded")
    assert marker.select_one("a")["href"].startswith(f"/contributions/{named.id}")
