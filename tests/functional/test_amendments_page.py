"""Amendments over HTTP: proposing one, its redline in the discussion, the amendments side by
side with their support on the key message page, and the page of them all."""

from __future__ import annotations

from app.discussion.amendments import AMENDMENTS_SHOWN
from app.text.footnotes import strip_footnote_markers
from tests.factories import PASSWORD, key_message, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text

REF = "RT2-KM2"
KM = f"/consultations/com-2013-292/messages/{REF}"
AMENDS = "support_with_amendments"


def original(consultation) -> str:
    return " ".join(strip_footnote_markers(key_message(consultation, REF).text).split())


def amended(consultation, replacement: str = "Alle lidstaten") -> str:
    return original(consultation).replace("Alle staten", replacement, 1)


def _words(mark) -> str:
    return "".join(node for node in mark.find_all(string=True, recursive=False)).strip()


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


async def an_amendment(db, consultation, replacement="Alle lidstaten", endorsements=0, **draft):
    author = draft.pop("author", None) or await make_user(db)
    contribution = await make_position(
        db,
        consultation,
        author=author,
        ref=REF,
        position=AMENDS,
        amendment_text=amended(consultation, replacement),
        body=f"Our reasons for {replacement}.",
        **draft,
    )
    contribution.endorsement_count = endorsements
    return contribution


async def test_the_form_offers_the_key_message_to_edit(client, db, consultation):
    await signed_in(client, db)
    page = soup(await client.get(KM))
    box = page.select_one("textarea#field-amendment_text")
    assert box.get_text() == strip_footnote_markers(key_message(consultation, REF).text)
    assert box["lang"] == "nl"
    hint = page.select_one("#field-amendment_text-hint").get_text()
    assert "Only with “Support with amendments”" in hint
    assert "field-amendment_text-hint" in box["aria-describedby"]


async def test_a_proposed_amendment_shows_as_a_redline_in_the_discussion(client, db, consultation):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "position": AMENDS,
            "amendment_text": amended(consultation),
            "body": "Only member states are bound.",
            "submission_key": "amend-key-0001",
        },
    )
    assert response.status_code == 303
    contribution_id = response.headers["location"].rpartition("#c")[2]

    item = soup(await client.get(KM)).select_one(f"#c{contribution_id}")
    figure = item.select_one("figure.amendment")
    assert figure.select_one("figcaption").get_text().startswith("Proposed wording")
    redline = figure.select_one(".redline")
    assert redline["lang"] == "nl"
    assert [(m.name, _words(m)) for m in redline.select("del, ins")] == [("del", "staten"), ("ins", "lidstaten")]
    assert [s.get_text().strip() for s in redline.select("del .visually-hidden, ins .visually-hidden")] == [
        "deleted:",
        "(end of deletion)",
        "inserted:",
        "(end of insertion)",
    ]
    thread = soup(await client.get(f"/contributions/{contribution_id}"))
    assert thread.select_one(f"#c{contribution_id} .redline ins") is not None


async def test_changed_wording_with_another_position_is_refused_and_kept(client, db, consultation):
    await signed_in(client, db)
    wording = amended(consultation, "Alle landen")
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "support", "amendment_text": wording, "body": "We agree.", "submission_key": "amend-key-0002"},
    )
    assert response.status_code == 422
    assert "only “Support with amendments” proposes new wording" in field_errors(response)["amendment_text"]
    assert soup(response).select_one("textarea#field-amendment_text").get_text() == wording


async def test_unchanged_wording_with_another_position_is_simply_dropped(client, db, consultation):
    await signed_in(client, db)
    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "position": "support",
            "amendment_text": strip_footnote_markers(key_message(consultation, REF).text),
            "body": "We agree as it stands.",
            "submission_key": "amend-key-0003",
        },
    )
    assert response.status_code == 303
    contribution_id = response.headers["location"].rpartition("#c")[2]
    assert soup(await client.get(KM)).select_one(f"#c{contribution_id} figure.amendment") is None


async def test_amendments_are_side_by_side_most_endorsed_first(client, db, consultation):
    less = await an_amendment(db, consultation, "Alle landen", endorsements=1)
    more = await an_amendment(db, consultation, "Alle lidstaten", endorsements=4)
    await make_position(db, consultation, author=await make_user(db), ref=REF, position="support")
    await db.commit()

    section = soup(await client.get(KM)).select_one("#positions section.amendments")
    assert section.select_one("h3").get_text() == "2 proposed amendments"
    cards = section.select("ol.amendment-cards > li > article")
    assert [card.select_one("a[href^='/contributions/']")["href"] for card in cards] == [
        f"/contributions/{more.id}",
        f"/contributions/{less.id}",
    ]
    first = cards[0]
    assert [(m.name, _words(m)) for m in first.select(".redline del, .redline ins")] == [
        ("del", "staten"),
        ("ins", "lidstaten"),
    ]
    assert "Endorsed by 4 organisations" in first.get_text()
    assert more.organisation.name in first.select_one(".meta").get_text()
    assert section.select_one(".all-amendments") is None, "all are shown"


async def test_anonymous_amendments_show_no_name_anywhere(client, db, consultation):
    author = await make_user(db, name="Hidden Person")
    amendment = await an_amendment(db, consultation, author=author, publication="anonymous")
    await db.commit()
    for page in (KM, f"{KM}/amendments"):
        text = visible_text(await client.get(page))
        assert "Anonymous contribution" in text
        assert "Hidden Person" not in text and amendment.organisation.name not in text, page


async def test_unpublished_amendments_are_not_listed_publicly(client, db, consultation):
    amendment = await an_amendment(db, consultation, "Alle geheime staten", publication="not_for_publication")
    await db.commit()
    for page in (KM, f"{KM}/amendments"):
        assert soup(await client.get(page)).select_one(f"a[href='/contributions/{amendment.id}']") is None


async def test_many_amendments_link_to_a_paged_page_of_them_all(client, db, consultation, settings):
    total = settings.page_size + 3
    made = [await an_amendment(db, consultation, f"Alle {n} staten", endorsements=n % 4) for n in range(total)]
    await db.commit()

    key_message_page = soup(await client.get(KM))
    cards = key_message_page.select("section.amendments ol.amendment-cards > li")
    assert len(cards) == AMENDMENTS_SHOWN
    link = key_message_page.select_one("section.amendments .all-amendments a")
    assert link["href"] == f"{KM}/amendments" and link.get_text() == f"See all {total} amendments"

    first = await client.get(link["href"])
    assert first.status_code == 200
    page = soup(first)
    assert page.select_one("h1").get_text() == f"Proposed amendments to {REF}"
    ids = [a["href"] for a in page.select("ol.amendment-cards > li article a[href^='/contributions/']")]
    more = page.select_one("a[href^='?after=']")
    second = soup(await client.get(link["href"] + more["href"]))
    ids += [a["href"] for a in second.select("ol.amendment-cards > li article a[href^='/contributions/']")]
    assert second.select_one("a[href^='?after=']") is None
    expected = sorted(made, key=lambda c: (-c.endorsement_count, c.id))
    assert ids == [f"/contributions/{c.id}" for c in expected]


async def test_the_amendments_page_of_a_key_message_without_any(client):
    response = await client.get("/consultations/com-2013-292/messages/RT1-KM1/amendments")
    assert response.status_code == 200
    assert "No amendments proposed yet." in visible_text(response)
    assert (await client.get("/consultations/com-2013-292/messages/RT9-KM9/amendments")).status_code == 404


async def test_items_loaded_by_show_more_keep_the_wording_and_link_to_the_redline(client, db, consultation, settings):
    author = await make_user(db)
    for n in range(settings.page_size):
        await make_position(db, consultation, author=author, ref=REF, body=f"Filler {n}")
    late = await an_amendment(db, consultation, "Alle late staten")
    await db.commit()
    more = soup(await client.get(KM)).select_one("#more a")["href"]

    fragment = soup(await client.get(KM + more, headers={"HX-Request": "true"}))

    figure = fragment.select_one(f"#c{late.id} figure.amendment")
    if figure.select_one(".redline ins") is not None:  # the answer carried the key message
        assert [(m.name, _words(m)) for m in figure.select("del, ins")] == [("ins", "late")]
    else:  # without it, the plain wording and the way to the redline
        assert figure.select_one(".redline").get_text() == amended(consultation, "Alle late staten")
        assert figure.select_one(f"figcaption a[href='/contributions/{late.id}']") is not None


async def test_the_amendments_page_filters_by_topic_and_keeps_it_when_paging(client, db, consultation, settings):
    tagged = [
        await an_amendment(db, consultation, replacement=f"Alle {n} staten", topics=("children",))
        for n in range(settings.page_size + 1)
    ]
    other = await an_amendment(db, consultation, replacement="Elke staat", topics=("remittances",))
    await db.commit()

    def shown(response) -> set[int]:
        links = soup(response).select(".amendment-cards a[href^='/contributions/']")
        return {int(a["href"].rsplit("/", 1)[1]) for a in links}

    first = await client.get(f"{KM}/amendments?topic=children")
    assert soup(first).select_one("#filter-topic option[selected]")["value"] == "children"
    assert f"{settings.page_size + 1} amendments" in visible_text(first)
    assert len(shown(first)) == settings.page_size and other.id not in shown(first)
    following = soup(first).find("a", string="Next amendments")["href"]
    assert following.startswith("?topic=children&after=")
    rest = await client.get(f"{KM}/amendments{following}")
    assert shown(first) | shown(rest) == {c.id for c in tagged}
    unknown = await client.get(f"{KM}/amendments?topic=no-such-topic")
    assert f"{settings.page_size + 2} amendments" in visible_text(unknown), "an unknown topic filters nothing"
