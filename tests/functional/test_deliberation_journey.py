"""The deliberation issue's closing scenario, through the site's forms on RT2-KM2:

an organisation proposes an amendment, two others endorse it, a third opposes quoting a
passage, a moderator re-tags a topic, and a person's anonymous contribution shows without
their name on the pages, the feed and the exports. (Every page is walked for names in
test_no_name_leaks.py; a 5,000-contribution thread in test_large_threads.py and bench/.)"""

from __future__ import annotations

import csv
import io
import json

import feedparser

from app.discussion.models import Contribution
from app.organisations.models import OrganisationType
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_user
from tests.support import download_export, post_form, sign_in, soup

SLUG = "com-2013-292"
KM = f"/consultations/{SLUG}/messages/RT2-KM2"
QUOTED = (
    "Alle staten moeten de waardigheid, de grondrechten en de mensenrechten van migranten eerbiedigen, "
    "ongeacht hun wettelijke status."
)
WORDING = (
    "Alle staten moeten de waardigheid, de grondrechten en de mensenrechten van alle migranten eerbiedigen, "
    "ongeacht hun wettelijke status. Ze moeten zich inzetten voor de bescherming en de emancipatie van "
    "asielzoekers en kwetsbare migranten, zoals niet-begeleide minderjarigen, slachtoffers van mensenhandel, "
    "vrouwen, kinderen en diasporagemeenschappen."
)
PERSON = "Nomvula Dlamini-Asante"


async def as_member(client, db, organisation, name):  # type: ignore[no-untyped-def]
    person = await make_user(db, organisation=organisation, name=name)
    await db.commit()
    client.cookies.clear()
    await sign_in(client, person.email, PASSWORD)
    return person


async def publish(client, **fields):  # type: ignore[no-untyped-def]
    form = soup(await client.get(KM)).select_one("form[action$='/contributions']")
    key = form.select_one("input[name=submission_key]")["value"]
    response = await post_form(client, f"{KM}/contributions", {"submission_key": key, **fields})
    assert response.status_code == 303, response.text[:800]
    return int(response.headers["location"].rsplit("#c", 1)[1])


async def test_amend_endorse_oppose_with_a_quote_retag_and_publish_anonymously(client, db, consultation):
    proposer = await make_organisation(
        db, name="Senegalese Diaspora Forum", type=OrganisationType.DIASPORA, country="FR"
    )
    first = await make_organisation(db, name="Caritas Mali", type=OrganisationType.CIVIL_SOCIETY, country="ML")
    second = await make_organisation(
        db, name="Ministry of Labour of Ghana", type=OrganisationType.GOVERNMENT, country="GH"
    )
    opponent = await make_organisation(
        db, name="Border Watch Europe", type=OrganisationType.CIVIL_SOCIETY, country="NL"
    )

    # An organisation proposes an amendment, tagged "human rights".
    await as_member(client, db, proposer, "Aminata Diallo")
    amendment_id = await publish(
        client,
        position="support_with_amendments",
        amendment_text=WORDING,
        body="All migrants, and diaspora communities named as partners.",
        topics="human-rights",
    )

    # Two other organisations endorse it, each on its own behalf.
    for organisation, name in ((first, "Moussa Keita"), (second, "Kwame Asante")):
        await as_member(client, db, organisation, name)
        response = await post_form(
            client, f"/contributions/{amendment_id}/endorse", {"organisation_id": str(organisation.id)}
        )
        assert response.status_code == 303, response.text[:500]

    # A third opposes, quoting the first sentence of the key message.
    await as_member(client, db, opponent, "Jan de Vries")
    opposition_id = await publish(
        client, position="oppose", quote_text=QUOTED, body="This goes beyond what states agreed."
    )

    # A person writing for themselves publishes anonymously.
    await as_member(client, db, None, PERSON)
    anonymous_id = await publish(
        client, position="neutral", organisation_id="personal", publication="anonymous", body="Speaking for myself."
    )

    # A moderator corrects the amendment's topic: it is about children, not only human rights.
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    client.cookies.clear()
    await sign_in(client, moderator.email, PASSWORD)
    response = await post_form(
        client,
        f"/contributions/{amendment_id}/topics",
        {"topics": ["human-rights", "children"], "reason": "It is also about unaccompanied minors."},
    )
    assert response.status_code == 303, response.text[:500]

    # What everyone reads on RT2-KM2.
    client.cookies.clear()
    page = soup(await client.get(KM))
    amendment = page.select_one(f"#c{amendment_id}")
    # The redline marks each change in words a screen reader reads out.
    assert [ins.get_text(" ", strip=True) for ins in amendment.select("ins")] == [
        "inserted: alle (end of insertion)",
        "inserted: , vrouwen, kinderen (end of insertion)",
        "inserted: diasporagemeenschappen (end of insertion)",
    ]
    assert [d.get_text(" ", strip=True) for d in amendment.select("del")] == [
        "deleted: vrouwen en kinderen (end of deletion)"
    ]
    endorsements = visible_text_of(amendment.select_one(f"#endorsements-{amendment_id}"))
    assert endorsements == (
        "Endorsed by 2 organisations Caritas Mali (Civil-society organisation, Mali) "
        "Ministry of Labour of Ghana (Government, Ghana)"
    )
    side_by_side = page.select_one(".amendments")
    assert side_by_side is not None and f"/contributions/{amendment_id}" in str(side_by_side)
    assert "Endorsed by 2 organisations" in side_by_side.get_text(" ")
    topics = [a.get_text(strip=True) for a in amendment.select(".topics a")]
    assert topics == ["Human rights", "Children"]

    opposition = page.select_one(f"#c{opposition_id}")
    assert QUOTED in opposition.select_one("blockquote").get_text(" ", strip=True)
    [mark] = page.select(".key-message-text mark")
    assert mark.get_text(" ", strip=True) == QUOTED
    assert page.select_one(f".key-message-text a.quoted-by[href='/contributions/{opposition_id}']") is not None

    anonymous = page.select_one(f"#c{anonymous_id}")
    assert "Anonymous contribution" in anonymous.get_text(" ") and PERSON not in str(page)
    tally = page.select_one("#tally")
    assert tally is not None and "Undisclosed" in tally.get_text(" ")

    # The topic page lists the corrected tag; the feed and the exports do not name the person.
    children = await client.get(f"/consultations/{SLUG}/topics/children")
    assert f"/contributions/{amendment_id}" in children.text
    feed = feedparser.parse((await client.get(f"{KM}/feed.atom")).content)
    [entry] = [e for e in feed.entries if e.id.endswith(f"/contributions/{anonymous_id}")]
    assert entry.author == "Anonymous contribution" and PERSON not in str(feed)

    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    exported = json.loads((await download_export(client, db, f"/consultations/{SLUG}", "json")).content)
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [km2] = [m for m in rt2["key_messages"] if m["ref"] == "RT2-KM2"]
    records = {c["id"]: c for c in km2["contributions"]}
    assert records[amendment_id]["amendment"] == WORDING
    assert sorted(e["name"] for e in records[amendment_id]["endorsed_by"]) == [
        "Caritas Mali",
        "Ministry of Labour of Ghana",
    ]
    assert records[amendment_id]["topics"] == ["human-rights", "children"]
    assert records[opposition_id]["quote"]["text"] == QUOTED
    assert (records[anonymous_id]["author"], records[anonymous_id]["organisation"]) == (None, None)
    csv_text = (await download_export(client, db, f"/consultations/{SLUG}", "csv")).content.decode("utf-8-sig")
    assert PERSON not in csv_text
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(csv_text))}
    assert rows[str(anonymous_id)]["publication"] == "Anonymous" and rows[str(anonymous_id)]["author"] == ""
    assert await db.get(Contribution, anonymous_id) is not None


def visible_text_of(element) -> str:  # type: ignore[no-untyped-def]
    return " ".join(element.get_text(" ").split()) if element is not None else ""
