"""Live news on a key message page over HTTP: 204 while nothing changed, the new
contributions (as the reader may see them) once something did, and the same answers from a
second app instance sharing the database, because the news travels through it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from app.main import create_app
from app.security.roles import Role
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.live import (
    Checker,
    LiveServer,
    html_checker,
    key_message_path,
    live_server,
    person,
    post_position,
    post_reply,
)
from tests.support import post_form, sign_in, soup
from tests.vnu import check_html, report

__all__ = ["html_checker", "live_server"]  # fixtures, imported for pytest

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def poller_of(client: httpx.AsyncClient, path: str = KM) -> str:
    poller = soup(await client.get(path)).select_one("#live-poller")
    assert poller["data-hx-trigger"].startswith("every ")
    return str(poller["data-hx-get"])


def news_items(response: httpx.Response) -> list:
    news = soup(response).select_one("ol[data-hx-swap-oob='beforeend:#live-list']")
    return [] if news is None else news.select(":scope > li.contribution")


def next_poller(response: httpx.Response) -> str:
    return str(soup(response).select_one("#live-poller")["data-hx-get"])


async def test_nothing_changed_is_204_and_a_new_position_comes_with_a_new_poller(client, db, consultation):
    author = await make_user(db, name="Moussa Ndiaye")
    await make_position(db, consultation, author=author, body="Already on the page.")
    await db.commit()
    poller = await poller_of(client)
    assert (await client.get(poller)).status_code == 204

    new = await make_position(db, consultation, author=author, body="Written while you read.")
    await db.commit()
    response = await client.get(poller)
    assert response.status_code == 200
    [item] = news_items(response)
    assert item["id"] == f"c{new.id}" and "Written while you read." in item.get_text()
    assert "Moussa Ndiaye" in item.get_text()
    assert soup(response).select_one("[data-hx-swap-oob='innerHTML:#live-status']").get_text() == "1 new contribution"
    params = parse_qs(urlsplit(next_poller(response)).query)
    assert params["after"] == [str(new.id)]
    assert (await client.get(next_poller(response))).status_code == 204


async def test_an_anonymous_contribution_arrives_without_a_name(client, db, consultation):
    poller = await poller_of(client)
    author = await make_user(db, name="Aminata Diallo")
    await make_position(db, consultation, author=author, body="Said anonymously.", publication="anonymous")
    await db.commit()
    [item] = news_items(await client.get(poller))
    assert "Said anonymously." in item.get_text()
    assert "Aminata Diallo" not in item.get_text() and author.memberships[0].organisation.name not in item.get_text()
    assert "Anonymous contribution" in item.get_text()


async def test_not_for_publication_is_not_sent_to_the_public_but_to_negotiators(client, other_client, db, consultation):
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(other_client, negotiator.email, PASSWORD)
    public_poller, negotiator_poller = await poller_of(client), await poller_of(other_client)
    await make_position(
        db, consultation, author=await make_user(db), body="For negotiators.", publication="not_for_publication"
    )
    await db.commit()
    public = await client.get(public_poller)
    assert public.status_code == 200 and news_items(public) == []  # a new poller, nothing to show
    assert "For negotiators." not in public.text
    assert "For negotiators." in news_items(await other_client.get(negotiator_poller))[0].get_text()


async def test_a_reply_says_what_it_answers_and_an_author_is_not_sent_their_own(client, other_client, db, consultation):
    writer = await make_user(db, name="Kofi Mensah")
    parent = await make_position(db, consultation, author=writer, body="A position.")
    await db.commit()
    await sign_in(client, writer.email, PASSWORD)
    writer_poller, reader_poller = await poller_of(client), await poller_of(other_client)
    await make_reply(db, author=await make_user(db), parent=parent, body="An answer.")
    await make_reply(db, author=writer, parent=parent, body="My own follow-up.")
    await db.commit()
    [answer] = news_items(await client.get(writer_poller))  # their page shows their own already
    assert "An answer." in answer.get_text()
    theirs = news_items(await other_client.get(reader_poller))
    assert ["An answer." in i.get_text() for i in theirs] == [True, False] and len(theirs) == 2
    note = theirs[0].select_one(".in-reply-to a")
    assert note.get_text() == "In reply to Kofi Mensah"
    assert note["href"] == f"/contributions/{parent.id}#{theirs[0]['id']}"


async def test_the_topic_of_the_page_filters_the_news(client, db, consultation):
    author = await make_user(db)
    tagged = await make_position(db, consultation, author=author, topics=("remittances",))
    await db.commit()
    poller = await poller_of(client, f"{KM}?topic=remittances")
    await make_position(db, consultation, author=author, body="Another topic.", topics=("diaspora",))
    await make_reply(db, author=author, parent=tagged, body="In the remittances thread.")
    await db.commit()
    [item] = news_items(await client.get(poller))
    assert "In the remittances thread." in item.get_text()


async def test_bad_or_missing_parameters_answer_a_fresh_poller(client, db, consultation):
    await make_position(db, consultation, author=await make_user(db))
    await db.commit()
    for query in ("", "?v=x&after=y", "?after=0&v=-5&topic=nope"):
        response = await client.get(f"{KM}/live{query}")
        assert response.status_code == 200, query
        assert soup(response).select_one("#live-poller") is not None
    assert news_items(await client.get(f"{KM}/live")) == []
    assert (await client.get("/consultations/com-2013-292/messages/RT9-KM9/live?v=1&after=1")).status_code == 404


async def test_more_news_than_one_answer_carries_keeps_the_poller_asking(client, db, consultation, monkeypatch):
    from app.discussion import live

    monkeypatch.setattr(live, "NEWS_PER_POLL", 2)
    poller = await poller_of(client)
    author = await make_user(db)
    created = [await make_position(db, consultation, author=author) for _ in range(3)]
    await db.commit()
    first = await client.get(poller)
    assert [i["id"] for i in news_items(first)] == [f"c{c.id}" for c in created[:2]]
    second = await client.get(next_poller(first))
    assert [i["id"] for i in news_items(second)] == [f"c{created[2].id}"]
    assert (await client.get(next_poller(second))).status_code == 204


async def test_two_app_instances_sharing_the_database_see_each_others_contributions(
    app, client, connection, settings, db, consultation
):
    """Nothing is kept in process memory: a second instance answers the poll of a page the
    first one served, about a contribution posted through the first one."""
    writer = await make_user(db, name="Ama Owusu")
    await db.commit()
    second_app = create_app(settings, sessionmaker=_sessionmaker(connection))
    assert second_app is not app
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=second_app), base_url="http://testserver") as other:
        poller = await poller_of(other)
        await sign_in(client, writer.email, PASSWORD)
        response = await post_form(
            client,
            f"{KM}/contributions",
            {"position": "support", "body": "Posted through the first instance.", "submission_key": "two-instances-1"},
        )
        assert response.status_code == 303
        [item] = news_items(await other.get(poller))
        assert "Posted through the first instance." in item.get_text() and "Ama Owusu" in item.get_text()


async def test_the_live_fragment_is_valid_html(html_checker: Checker, live_server: LiveServer) -> None:
    """The answer is a fragment, so it is checked inside a minimal document."""
    async with person(live_server) as reader, person(live_server, live_server.participant) as writer:
        poller = soup(await reader.get(key_message_path("RT3-KM4"))).select_one("#live-poller")["data-hx-get"]
        parent = await post_position(writer, "RT3-KM4", "A position that arrives live.")
        await post_reply(writer, parent, "And a reply to it.")
        response = await reader.get(poller)
    assert response.status_code == 200 and len(news_items(response)) == 2
    document = f'<!doctype html><html lang="en"><head><title>News</title></head><body>{response.text}</body></html>'
    errors = await check_html(await html_checker.ready(), document)
    assert not errors, report(str(response.url), errors)


async def test_the_poller_starts_at_the_newest_contribution_with_or_without_rows_on_the_page(client, db, consultation):
    """The page reads where news starts in the same statement as its threads; a page with no
    thread (a topic nobody tagged) reads it on its own. Either way the newest contribution,
    a reply deep in a thread included, is where news starts: it is not announced again."""
    author = await make_user(db)
    position = await make_position(db, consultation, author=author, body="On the page.")
    newest = await make_reply(db, author=author, parent=position, body="The newest of all.")
    await db.commit()
    for path in (KM, f"{KM}?topic=remittances"):
        query = parse_qs(urlsplit(await poller_of(client, path)).query)
        assert query["after"] == [str(newest.id)], path
    assert "On the page." not in (await client.get(f"{KM}?topic=remittances")).text
