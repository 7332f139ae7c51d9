"""Anchored comments over HTTP: quoting a sentence without JavaScript, the highlighted
passages and their links, the page of contributions quoting a passage, and consent."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.discussion.models import ContributionStatus
from app.security.roles import Role
from app.text.footnotes import sentences, strip_footnote_markers
from tests.factories import PASSWORD, key_message, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup

# RT1-KM2 cites footnote 7 in its first sentence: "... moet worden uitgebreid[^7]. Het ..."
REF = "RT1-KM2"
KM = f"/consultations/com-2013-292/messages/{REF}"


def plain(consultation) -> str:
    return strip_footnote_markers(key_message(consultation, REF).text)


def passage_path(consultation, passage: str, occurrence: int = 0) -> str:
    text, start = plain(consultation), -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return f"{KM}/passages/{start}-{start + len(passage)}"


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


def highlights(response) -> list[tuple[str, str, str]]:
    """(marked text, link, link's accessible text) for each highlight of the key message text."""
    text = soup(response).select_one("[data-quote-source]")
    assert text is not None
    found = []
    for mark in text.select("mark"):
        link = mark.find_next_sibling()
        assert link is not None and "quoted-by" in link["class"], "each mark is followed by its link"
        found.append((mark.get_text(), link["href"], link.select_one(".visually-hidden").get_text()))
    return found


async def test_a_sentence_chosen_from_the_list_is_quoted_shown_and_highlighted(client, db, consultation):
    await signed_in(client, db)
    form_page = soup(await client.get(KM))
    select = form_page.select_one("#contribution-form select[name=quote_text]")
    options = [option["value"] for option in select.select("option")]
    assert options == ["", *sentences(key_message(consultation, REF).text)]
    assert select["aria-describedby"] == "field-quote_text-hint"
    chosen = options[2]

    response = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "oppose", "body": "This sentence goes too far.", "quote_text": chosen, "submission_key": "q" * 12},
    )
    assert response.status_code == 303
    contribution_id = int(response.headers["location"].rpartition("#c")[2])
    page = await client.get(KM)

    assert highlights(page) == [(chosen, f"/contributions/{contribution_id}", "Quoted by 1 contribution")]
    item = soup(page).select_one(f"#c{contribution_id}")
    figure = item.select_one("figure.quoted-passage")
    assert figure.select_one("figcaption").get_text() == "Quoting the key message:"
    assert figure.select_one("blockquote")["lang"] == "nl"
    assert figure.select_one("blockquote").get_text() == chosen


async def test_with_htmx_the_new_quote_is_highlighted_at_once(client, db, consultation):
    await signed_in(client, db)
    chosen = sentences(key_message(consultation, REF).text)[1]
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "oppose", "body": "Too far.", "quote_text": chosen, "submission_key": "h" * 12},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    words = soup(response).select_one("#key-message-words[data-hx-swap-oob=innerHTML]")
    assert [mark.get_text() for mark in words.select("mark")] == [chosen]
    assert "Quoted by 1 contribution" in words.get_text()
    unquoted = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "support", "body": "No quote.", "submission_key": "n" * 12},
        headers={"HX-Request": "true"},
    )
    assert soup(unquoted).select_one("#key-message-words") is None, "nothing to update without a quote"


async def test_a_footnote_inside_a_quoted_passage_stays_a_link_inside_the_highlight(client, db, consultation):
    author = await make_user(db)
    await make_position(db, consultation, author=author, ref=REF, quote_text="worden uitgebreid. Het")
    await db.commit()

    page = await client.get(KM)

    [mark] = soup(page).select("[data-quote-source] mark")
    assert mark.get_text() == "worden uitgebreid7. Het", "the footnote number shows inside the mark"
    assert mark.select_one("sup.fn-ref a[href='#fn-7']") is not None
    assert soup(page).select("[data-quote-source] sup.fn-ref") == mark.select("sup.fn-ref")


async def test_overlapping_quotes_are_one_highlight_linking_to_the_passage_page(client, db, consultation):
    author = await make_user(db, name="Amina Quoter")
    first = await make_position(db, consultation, author=author, ref=REF, body="First.", quote_text="Het toenemende")
    second = await make_position(
        db, consultation, author=author, ref=REF, body="Second.", quote_text="toenemende belang"
    )
    reply = await make_reply(db, author=author, parent=first, body="A reply.", quote_text="Het toenemende belang van")
    await make_position(db, consultation, author=author, ref=REF, body="Elsewhere.", quote_text="Daarnaast")
    await db.commit()

    [merged, daarnaast] = highlights(await client.get(KM))

    assert merged == (
        "Het toenemende belang van",
        passage_path(consultation, "Het toenemende belang van"),
        "Quoted by 3 contributions",
    )
    assert daarnaast[0] == "Daarnaast" and daarnaast[2] == "Quoted by 1 contribution"
    passage_page = await client.get(merged[1])
    assert passage_page.status_code == 200
    page = soup(passage_page)
    assert page.select_one("#quoting-heading").get_text() == "3 contributions quote it"
    assert [li["id"] for li in page.select("#quoting > li.contribution")] == [
        f"c{c.id}" for c in (first, second, reply)
    ]
    assert page.select_one(".key-message-text mark").get_text() == "Het toenemende belang van"
    assert page.select_one("#fn-7") is not None, "the footnotes the text cites are on the page"
    assert "Amina Quoter" in page.select_one(f"#c{first.id} .meta").get_text()
    assert page.select_one(f"#c{reply.id} figure.quoted-passage blockquote")["lang"] == "nl"


async def test_the_passage_page_comes_a_page_at_a_time(client, db, consultation, settings):
    author = await make_user(db)
    created = [
        await make_position(db, consultation, author=author, ref=REF, body=f"Quote {n}", quote_text="Daarnaast")
        for n in range(settings.page_size + 1)
    ]
    await db.commit()
    path = passage_path(consultation, "Daarnaast")

    first = soup(await client.get(path))
    more = first.select_one("#quoting #more a")
    rest = await client.get(path + more["href"], headers={"HX-Request": "true"})

    assert len(first.select("#quoting > li.contribution")) == settings.page_size
    assert soup(rest).select_one("html") is None, "htmx gets just the next items"
    assert [li["id"] for li in soup(rest).select("li.contribution")] == [f"c{created[-1].id}"]
    assert soup(rest).select_one("#more") is None


async def test_the_passage_page_filters_by_topic_and_keeps_it_when_paging(client, db, consultation, settings):
    author = await make_user(db)
    tagged = [
        await make_position(
            db, consultation, author=author, ref=REF, body=f"Tagged {n}", quote_text="Daarnaast", topics=("health",)
        )
        for n in range(settings.page_size + 1)
    ]
    other = await make_position(db, consultation, author=author, ref=REF, body="Untagged", quote_text="Daarnaast")
    await db.commit()
    path = passage_path(consultation, "Daarnaast")

    first = await client.get(f"{path}?topic=health")
    page = soup(first)
    assert page.select_one("#filter-topic option[selected]")["value"] == "health"
    assert page.select_one("#quoting-heading").get_text() == f"{settings.page_size + 1} contributions quote it"
    more = page.select_one("#quoting #more a")["href"]
    assert more.startswith("?topic=health&after=")
    rest = await client.get(path + more, headers={"HX-Request": "true"})
    shown = [li["id"] for li in [*page.select("#quoting > li.contribution"), *soup(rest).select("li.contribution")]]
    assert shown == [f"c{c.id}" for c in tagged] and f"c{other.id}" not in shown


async def test_quotes_in_items_shown_with_show_more_carry_the_key_message_language(client, db, consultation, settings):
    author = await make_user(db)
    for n in range(settings.page_size):
        await make_position(db, consultation, author=author, ref=REF, body=f"Earlier {n}")
    later = await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast")
    await db.commit()
    more = soup(await client.get(KM)).select_one("#threads #more a")

    rest = soup(await client.get(KM + more["href"], headers={"HX-Request": "true"}))

    assert rest.select_one(f"#c{later.id} figure.quoted-passage blockquote")["lang"] == "nl"


async def test_a_passage_is_highlighted_where_the_reader_selected_it(client, db, consultation):
    await signed_in(client, db)
    second = plain(consultation).index("migratiestromen", plain(consultation).index("migratiestromen") + 1)

    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "position": "support",
            "body": "The second mention matters.",
            "quote_text": "migratiestromen",
            "quote_start": str(second),
            "submission_key": "s" * 12,
        },
    )
    assert response.status_code == 303

    text = soup(await client.get(KM)).select_one("[data-quote-source]")
    assert text.select_one("mark").find_previous_sibling(string=True).endswith("verbanden tussen ")


async def test_a_passage_not_in_the_text_is_refused_next_to_the_field_and_kept(client, db):
    await signed_in(client, db)
    passage = "Alle staten moeten"  # from another key message

    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "position": "oppose",
            "body": "Kept text.",
            "quote_text": passage,
            "quote_start": "3",
            "submission_key": "e" * 12,
        },
    )

    assert response.status_code == 422
    assert field_errors(response) == {
        "quote_text": "The quoted passage must be copied exactly from the key message text."
    }
    page = soup(response)
    select = page.select_one("select[name=quote_text]")
    assert select["aria-invalid"] == "true"
    assert select["aria-describedby"] == "field-quote_text-hint field-quote_text-error"
    kept = select.select_one("option[selected]")
    assert kept["value"] == passage and kept.get_text() == f"“{passage}”"
    assert page.select_one("input[name=quote_start]")["value"] == "3"
    assert page.select_one(".error-summary a[href='#field-quote_text']") is not None
    assert page.select_one("textarea[name=body]").get_text() == "Kept text."


async def test_a_reply_can_quote_a_sentence_too(client, db, consultation):
    author = await signed_in(client, db)
    parent = await make_position(db, consultation, author=author, ref=REF)
    await db.commit()
    form = soup(await client.get(f"/contributions/{parent.id}/reply"))
    sentence = form.select(f"#field-quote_text-{parent.id} option")[3]["value"]

    response = await post_form(
        client,
        f"/contributions/{parent.id}/replies",
        {"body": "Quoting in a reply.", "quote_text": sentence, "submission_key": "r" * 12},
    )

    assert response.status_code == 303
    [(marked, href, _label)] = highlights(await client.get(KM))
    assert marked == sentence and href == f"/contributions/{int(response.headers['location'].rpartition('#c')[2])}"


async def test_a_reply_with_htmx_highlights_its_quote_at_once_on_the_key_message_page_only(client, db, consultation):
    author = await signed_in(client, db)
    parent = await make_position(db, consultation, author=author, ref=REF)
    await db.commit()
    chosen = sentences(key_message(consultation, REF).text)[2]

    async def reply_from(page: str, key: str):
        return await post_form(
            client,
            f"/contributions/{parent.id}/replies",
            {"body": "Quoting in a reply.", "quote_text": chosen, "submission_key": key * 12},
            headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
        )

    on_the_key_message = soup(await reply_from(f"{KM}?sort=newest", "k"))
    on_the_thread = soup(await reply_from(f"/contributions/{parent.id}", "t"))

    words = on_the_key_message.select_one("#key-message-words[data-hx-swap-oob=innerHTML]")
    assert [mark.get_text() for mark in words.select("mark")] == [chosen]
    assert on_the_thread.select_one(".replies .contribution") is not None
    assert on_the_thread.select_one("#key-message-words") is None, "the thread page has no key message text"


async def test_a_quote_not_for_publication_is_highlighted_for_negotiators_only(client, db, consultation):
    author = await make_user(db, name="Private Author")
    unpublished = await make_position(
        db, consultation, author=author, ref=REF, quote_text="Daarnaast", publication="not_for_publication"
    )
    await db.commit()
    path = passage_path(consultation, "Daarnaast")

    public_page, public_passage = await client.get(KM), await client.get(path)
    assert soup(public_page).select("[data-quote-source] mark") == []
    assert soup(public_passage).select("#quoting li.contribution") == []
    assert "Private Author" not in public_passage.text

    await signed_in(client, db, role=Role.NEGOTIATOR)
    assert highlights(await client.get(KM)) == [
        ("Daarnaast", f"/contributions/{unpublished.id}", "Quoted by 1 contribution")
    ]
    negotiator_passage = soup(await client.get(path))
    assert [li["id"] for li in negotiator_passage.select("#quoting li.contribution")] == [f"c{unpublished.id}"]


async def test_quotes_of_hidden_contributions_are_not_highlighted(client, db, consultation):
    author = await make_user(db)
    hidden = await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast")
    hidden.status = ContributionStatus.HIDDEN
    hidden.moderation_reason = "Off topic."
    await db.commit()

    assert soup(await client.get(KM)).select("[data-quote-source] mark") == []


async def test_ranges_that_are_not_passages_of_the_text_are_refused(client, consultation):
    length = len(plain(consultation))

    assert (await client.get(f"{KM}/passages/10-10")).status_code == 400
    assert (await client.get(f"{KM}/passages/20-10")).status_code == 400
    assert (await client.get(f"{KM}/passages/0-{length + 1}")).status_code == 404
    assert (await client.get(f"{KM}/passages/0-{length}")).status_code == 200
    assert (await client.get(f"{KM}/passages/a-b")).status_code == 404
    assert (await client.get("/consultations/com-2013-292/messages/NO-SUCH/passages/0-5")).status_code == 404


async def test_the_key_message_page_reads_the_highlights_in_one_query(client, db, consultation, engine):
    """Thousands of quoting contributions are counted in the database, not loaded."""
    author = await make_user(db)
    for _ in range(3):
        await make_position(db, consultation, author=author, ref=REF, quote_text="Daarnaast")
    await db.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        page = await client.get(KM)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert highlights(page)[0][2] == "Quoted by 3 contributions"
    quote_queries = [s for s in statements if re.search(r"GROUP BY contributions\.quote_start", s)]
    assert len(quote_queries) == 1
