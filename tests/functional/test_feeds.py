"""Atom feeds, read with a real feed reader (feedparser), written for the public."""

from __future__ import annotations

import feedparser
import pytest

from tests.factories import make_organisation, make_position, make_reply, make_user
from tests.support import soup

KM = "/consultations/com-2013-292/messages/RT2-KM2"


async def read_feed(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


async def test_key_message_feed_lists_new_contributions_newest_first(app, client, db, consultation):
    author = await make_user(db, name="Kwame Mensah")
    first = await make_position(db, consultation, author=author, ref="RT2-KM2", body="We support **this**.")
    reply = await make_reply(db, author=author, parent=first, body="And a <script>alert(1)</script> reply.")
    await make_position(db, consultation, author=author, ref="RT1-KM1", body="Elsewhere.")
    await db.commit()
    feed = await read_feed(client, f"{KM}/feed.atom")
    base_url = app.state.settings.base_url  # links are absolute, on the site's address
    assert [entry.link for entry in feed.entries] == [
        f"{base_url}/contributions/{reply.id}",
        f"{base_url}/contributions/{first.id}",
    ]
    assert feed.entries[1].title == "RT2-KM2: Support"
    assert "<strong>this</strong>" in feed.entries[1].content[0].value
    assert "<script>" not in feed.entries[0].content[0].value
    assert feed.entries[1].author.startswith("Kwame Mensah")


async def test_feeds_honour_publication_consent(client, db, consultation):
    organisation = await make_organisation(db, name="Diaspora Link Kenya")
    author = await make_user(db, organisation=organisation, name="Wanjiru Kamau")
    hidden_names = await make_position(db, consultation, author=author, ref="RT2-KM2", publication="anonymous")
    org_only = await make_position(db, consultation, author=author, ref="RT2-KM2", publication="organisation_only")
    secret = await make_position(
        db, consultation, author=author, ref="RT2-KM2", publication="not_for_publication", body="Confidential."
    )
    await db.commit()
    for path in (f"{KM}/feed.atom", "/consultations/com-2013-292/feed.atom"):
        response = await client.get(path)
        assert "Wanjiru" not in response.text
        feed = await read_feed(client, path)
        by_id = {entry.id.rsplit("/", 1)[-1]: entry for entry in feed.entries}
        assert str(secret.id) not in by_id and "Confidential." not in response.text
        assert by_id[str(hidden_names.id)].author == "Anonymous contribution"
        assert by_id[str(org_only.id)].author == "Diaspora Link Kenya"


async def test_unknown_key_message_has_no_feed(client):
    assert (await client.get("/consultations/com-2013-292/messages/RT9-KM9/feed.atom")).status_code == 404


async def test_a_topic_has_a_feed_of_what_is_tagged_with_it(app, client, db, consultation):
    author = await make_user(db)
    tagged = await make_position(db, consultation, author=author, ref="RT2-KM2", topics=("remittances",))
    elsewhere = await make_position(db, consultation, author=author, ref="RT1-KM1", topics=("remittances", "gender"))
    await make_position(db, consultation, author=author, ref="RT2-KM2", topics=("gender",))
    await make_position(db, consultation, author=author, ref="RT2-KM2")
    await db.commit()

    feed = await read_feed(client, "/consultations/com-2013-292/topics/remittances/feed.atom")

    base_url = app.state.settings.base_url
    assert feed.feed.title == "New contributions on the topic Remittances"
    assert feed.feed.link == f"{base_url}/consultations/com-2013-292/topics/remittances"
    assert [entry.link for entry in feed.entries] == [
        f"{base_url}/contributions/{elsewhere.id}",
        f"{base_url}/contributions/{tagged.id}",
    ]
    unknown = await client.get("/consultations/com-2013-292/topics/no-such-topic/feed.atom")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "page, feed",
    [
        ("/consultations/com-2013-292", "/consultations/com-2013-292/feed.atom"),
        (KM, f"{KM}/feed.atom"),
        ("/consultations/com-2013-292/topics/remittances", "/consultations/com-2013-292/topics/remittances/feed.atom"),
    ],
)
async def test_pages_with_a_feed_link_to_it_for_people_and_feed_readers(client, page, feed):
    html = soup(await client.get(page))

    discovered = html.select_one("head link[rel=alternate][type='application/atom+xml']")
    assert discovered is not None and discovered["href"] == feed and discovered["title"]
    assert html.select_one(f"main a[href='{feed}'][type='application/atom+xml']") is not None
    assert (await client.get(feed)).status_code == 200
