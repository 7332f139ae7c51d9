"""Topics over HTTP: authors tag, moderators correct, readers follow a topic across the
consultation, with publication consent applied on every topic page."""

from __future__ import annotations

from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text

CONSULTATION = "/consultations/com-2013-292"
KM = f"{CONSULTATION}/messages/RT2-KM2"
TOO_MANY = ["remittances", "diaspora", "brain-drain", "gender", "children", "health"]


async def signed_in(client, db, **kwargs):
    user = await make_user(db, **kwargs)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    return user


def tag_links(page, contribution_id: int) -> list[str]:
    return [str(a["href"]) for a in page.select(f"#c{contribution_id} > article .topics a")]


async def test_an_author_tags_a_position_and_each_tag_links_to_its_topic(client, db):
    await signed_in(client, db)
    form = soup(await client.get(KM)).select_one("#field-topics")
    assert form.select_one("legend").get_text() == "Topics (optional)"
    assert form.select_one("details").get("open") is None, "folded away until wanted"
    assert len(form.select("input[type=checkbox][name=topics]")) > 16

    response = await post_form(
        client,
        f"{KM}/contributions",
        {
            "body": "Remittances matter.",
            "position": "support",
            "submission_key": "k" * 20,
            "topics": ["diaspora", "remittances"],
        },
    )

    assert response.status_code == 303
    contribution_id = int(response.headers["location"].rsplit("#c", 1)[1])
    page = soup(await client.get(KM))
    assert tag_links(page, contribution_id) == [f"{CONSULTATION}/topics/remittances", f"{CONSULTATION}/topics/diaspora"]
    assert [a.get_text() for a in page.select(f"#c{contribution_id} .topics a")] == ["Remittances", "Diaspora"]


async def test_too_many_topics_are_refused_next_to_the_field_with_the_ticks_kept(client, db):
    await signed_in(client, db)

    response = await post_form(
        client,
        f"{KM}/contributions",
        {"body": "About everything.", "position": "neutral", "submission_key": "k" * 20, "topics": TOO_MANY},
    )

    assert response.status_code == 422
    assert field_errors(response)["topics"] == "Choose at most 5 topics; you chose 6."
    page = soup(response)
    assert page.select_one(".error-summary a[href='#field-topics']") is not None
    assert sorted(i["value"] for i in page.select("#field-topics input:checked")) == sorted(TOO_MANY)
    assert page.select_one("#field-topics details").has_attr("open")
    assert "field-topics-error" in page.select_one("#field-topics")["aria-describedby"]


async def test_a_reply_is_tagged_and_its_form_keeps_ticks_on_error(client, db, consultation):
    parent = await make_position(db, consultation, author=await make_user(db), ref="RT2-KM2")
    await signed_in(client, db)
    form = soup(await client.get(f"/contributions/{parent.id}/reply"))
    assert form.select_one(f"#field-topics-{parent.id} #topic-gender-{parent.id}") is not None

    bad = await post_form(
        client, f"/contributions/{parent.id}/replies", {"body": "Yes.", "submission_key": "r" * 20, "topics": TOO_MANY}
    )
    assert bad.status_code == 422
    assert "at most 5" in field_errors(bad)[f"topics-{parent.id}"]
    assert len(soup(bad).select(f"#field-topics-{parent.id} input:checked")) == 6

    done = await post_form(
        client,
        f"/contributions/{parent.id}/replies",
        {"body": "Yes.", "submission_key": "r" * 20, "topics": ["gender"]},
    )
    assert done.status_code == 303
    reply_id = int(done.headers["location"].rsplit("#c", 1)[1])
    assert tag_links(soup(await client.get(f"/contributions/{parent.id}")), reply_id) == [
        f"{CONSULTATION}/topics/gender"
    ]


async def test_a_moderator_corrects_the_topics_with_a_reason(client, db, consultation):
    contribution = await make_position(
        db, consultation, author=await make_user(db), ref="RT2-KM2", topics=("diaspora",)
    )
    await signed_in(client, db, role=Role.MODERATOR)
    moderate = f"/contributions/{contribution.id}/moderate"
    retag = f"/contributions/{contribution.id}/topics"
    page = soup(await client.get(moderate))
    assert [i["value"] for i in page.select("#field-topics-retag input:checked")] == ["diaspora"]
    assert page.select_one("#field-topics-retag details").has_attr("open")
    await client.get(KM)  # the discussion is now cached with the old tag

    no_reason = await post_form(client, retag, {"topics": ["gender"], "reason": ""})
    assert no_reason.status_code == 422
    assert list(field_errors(no_reason)) == ["reason-retag"]
    assert [i["value"] for i in soup(no_reason).select("#field-topics-retag input:checked")] == ["gender"]
    assert soup(no_reason).select_one(".error-summary a[href='#field-reason-retag']") is not None
    too_many = await post_form(client, retag, {"topics": TOO_MANY, "reason": "Many things at once."})
    assert "at most 5" in field_errors(too_many)["topics-retag"]

    done = await post_form(client, retag, {"topics": ["gender", "remittances"], "reason": "It is about women."})

    assert done.status_code == 303 and done.headers["location"] == moderate
    history = visible_text(await client.get(moderate))
    assert "The topics are corrected." in history
    assert "retag: It is about women. (topics before: Diaspora; after: Remittances, Women and gender)" in history
    assert tag_links(soup(await client.get(KM)), contribution.id) == [
        f"{CONSULTATION}/topics/remittances",
        f"{CONSULTATION}/topics/gender",
    ]
    again = await post_form(client, retag, {"topics": ["remittances", "gender"], "reason": "Same again."})
    assert "Nothing changed" in visible_text(await client.get(again.headers["location"]))


async def test_participants_cannot_retag(client, db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db), topics=("diaspora",))
    await signed_in(client, db)
    response = await post_form(
        client, f"/contributions/{contribution.id}/topics", {"topics": ["gender"], "reason": "Mine now."}
    )
    assert response.status_code == 403


async def test_the_topic_index_counts_what_the_reader_may_see(client, db, consultation):
    author = await make_user(db)
    await make_position(db, consultation, author=author, topics=("statelessness",))
    await make_position(db, consultation, author=author, topics=("statelessness",), publication="not_for_publication")
    await db.commit()

    page = soup(await client.get(f"{CONSULTATION}/topics"))

    entry = page.select_one(f"a[href='{CONSULTATION}/topics/statelessness']").parent
    assert "1 contribution" in entry.get_text(" ")
    assert entry.select_one("[lang=nl]").get_text() == "(Staatloosheid)"


async def test_a_topic_page_lists_contributions_across_key_messages_newest_first(client, db, consultation):
    author = await make_user(db)
    older = await make_position(
        db, consultation, author=author, ref="RT1-KM1", body="Older one.", topics=("demography",)
    )
    newer = await make_position(
        db, consultation, author=author, ref="RT4-KM2", body="Newer one.", topics=("demography",)
    )
    reply = await make_reply(db, author=author, parent=older, body="A reply on it.", topics=("demography",))
    await make_position(db, consultation, author=author, body="Other topic.", topics=("gender",))
    await db.commit()

    response = await client.get(f"{CONSULTATION}/topics/demography")

    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1").get_text() == "Topic: Population dynamics and demography"
    entries = page.select(".topic-entry")
    assert [e.select_one(".contribution")["id"] for e in entries] == [f"c{reply.id}", f"c{newer.id}", f"c{older.id}"]
    assert [e.select_one(".topic-entry-context a").get_text() for e in entries] == ["RT1-KM1", "RT4-KM2", "RT1-KM1"]
    assert entries[1].select_one(".topic-entry-context a")["href"] == f"{CONSULTATION}/messages/RT4-KM2"
    assert entries[0].select_one(f"a[href='/contributions/{older.id}#c{reply.id}']") is not None
    assert entries[1].select_one(f"a.permalink[href='/contributions/{newer.id}']") is not None
    assert "Other topic." not in response.text
    assert (await client.get(f"{CONSULTATION}/topics/astrology")).status_code == 404
    assert (await client.get("/consultations/no-such/topics/demography")).status_code == 404


async def test_show_more_pages_through_a_topic_with_and_without_htmx(client, db, consultation, settings):
    author = await make_user(db)
    for n in range(settings.page_size + 2):
        await make_position(db, consultation, author=author, body=f"Number {n}.", topics=("border-management",))
    await db.commit()
    url = f"{CONSULTATION}/topics/border-management"

    first = soup(await client.get(url))
    more = first.select_one("#more a")
    assert len(first.select(".topic-entry")) == settings.page_size
    assert more["href"] == more["data-hx-get"] and more["href"].startswith("?after=")
    plain = soup(await client.get(url + more["href"]))
    swapped = await client.get(url + more["href"], headers={"HX-Request": "true"})

    assert [e.select_one(".body").get_text(strip=True) for e in plain.select(".topic-entry")] == [
        "Number 1.",
        "Number 0.",
    ]
    assert plain.select_one("#more") is None
    assert soup(swapped).select_one("html") is None, "a fragment for the swap"
    assert len(soup(swapped).select(".topic-entry")) == 2


async def test_consent_on_topic_pages(client, other_client, db, consultation):
    organisation = await make_organisation(db, name="Hidden Helpers Network")
    author = await make_user(db, name="Ines Incognito", organisation=organisation)
    anonymous = await make_position(
        db, consultation, author=author, body="Said anonymously.", publication="anonymous", topics=("integration",)
    )
    unpublished = await make_position(
        db,
        consultation,
        author=author,
        body="Only for negotiators.",
        publication="not_for_publication",
        topics=("integration",),
    )
    await db.commit()
    url = f"{CONSULTATION}/topics/integration"

    public = await client.get(url)
    await signed_in(other_client, db, role=Role.NEGOTIATOR)
    negotiator = await other_client.get(url)

    assert "Said anonymously." in public.text
    assert "Ines Incognito" not in public.text and "Hidden Helpers Network" not in public.text
    assert soup(public).select_one(f"#c{unpublished.id}") is None and "Only for negotiators." not in public.text
    assert soup(negotiator).select_one(f"#c{unpublished.id}") is not None
    assert "Ines Incognito" in soup(negotiator).select_one(f"#c{unpublished.id}").get_text()
    assert "Ines Incognito" not in soup(negotiator).select_one(f"#c{anonymous.id}").get_text()


async def test_the_key_message_list_can_be_filtered_by_topic(client, db, consultation):
    author = await make_user(db)
    tagged = await make_position(db, consultation, author=author, ref="RT2-KM2", topics=("gender",))
    untagged = await make_position(db, consultation, author=author, ref="RT2-KM2", topics=("diaspora",))
    await db.commit()

    page = soup(await client.get(f"{KM}?topic=gender"))

    assert page.select_one(f"#c{tagged.id}") is not None and page.select_one(f"#c{untagged.id}") is None

    select = page.select_one("select#filter-topic[name=topic]")
    assert page.select_one("label[for=filter-topic]").get_text() == "Topic"
    assert select.select_one("option")["value"] == "" and select.select_one("option").get_text() == "All topics"
    assert [o["value"] for o in select.select("option[selected]")] == ["gender"]
