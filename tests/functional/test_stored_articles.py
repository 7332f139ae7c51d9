"""A page is assembled from contributions rendered one by one and stored (issue 10): the
first read after a write renders what changed, and every change that alters how a
contribution looks leads to a fresh render of it, whichever write path made it.

Each test reads the page (which stores every article, and every thread of the key message
page: test_stored_threads.py), then marks every stored article in the database, alone or
inside a stored thread. After a change, an article still carrying the mark was served from
the store; one without it was rendered again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.consultation.models import KeyMessage
from app.db import utcnow
from app.discussion.contribution_edit import Changes, edit_contribution, version_of
from app.discussion.endorsements import endorse
from app.discussion.models import Contribution
from app.fragments import RenderedFragment
from app.moderation.models import ModerationAction
from app.moderation.services import retag, set_visibility
from app.organisations.services import verify
from app.privacy.erasure import PersonalContributions, erase_account
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_reply, make_user
from tests.support import sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
MARK = "<!--served-from-the-store-->"
ARTICLE = re.compile(r'<article aria-labelledby="c(?P<id>\d+)-by">.*?</article>\s*(?:' + MARK + ")?", re.S)


async def mark_stored_articles(db) -> int:
    """Put MARK after every stored article, those stored one by one and those inside stored
    threads (app.discussion.web.stored_threads); returns how many are stored one by one."""
    result = await db.execute(
        update(RenderedFragment)
        .where(RenderedFragment.key.startswith("content:article:"))
        .values(html=RenderedFragment.html.concat(MARK))
    )
    await db.execute(
        update(RenderedFragment)
        .where(RenderedFragment.key.startswith("thread:"))
        .values(html=func.replace(RenderedFragment.html, "</article>", "</article>" + MARK))
    )
    await db.commit()
    return result.rowcount


def articles_by_id(response) -> dict[int, str]:
    """Each contribution's <article> as served, with the mark when one follows it."""
    found = ARTICLE.finditer(response.text)
    return {int(match["id"]): match[0] for match in found}


def from_store(articles: dict[int, str]) -> set[int]:
    return {contribution_id for contribution_id, html in articles.items() if MARK in html}


@pytest.fixture
async def three(db, consultation):
    """Three positions by people of different organisations, one with a reply."""
    authors = [await make_user(db) for _ in range(3)]
    positions = [
        await make_position(db, consultation, author=author, body=f"Position {n}.") for n, author in enumerate(authors)
    ]
    reply = await make_reply(db, author=authors[1], parent=positions[0], body="An early reply.")
    await db.commit()
    return authors, positions, reply


async def read_and_mark(client, db) -> None:
    assert (await client.get(KM)).status_code == 200
    assert await mark_stored_articles(db) == 4


async def test_after_a_new_reply_only_the_new_reply_is_rendered(client, db, three):
    authors, (first, second, third), reply = three
    await read_and_mark(client, db)
    new = await make_reply(db, author=authors[2], parent=second, body="A brand new reply.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert set(articles) == {first.id, second.id, third.id, reply.id, new.id}
    assert from_store(articles) == {first.id, second.id, third.id, reply.id}
    assert "A brand new reply." in articles[new.id]


async def test_show_more_and_other_orders_use_the_stored_articles_too(client, db, three):
    _authors, positions, reply = three
    await read_and_mark(client, db)
    newest = articles_by_id(await client.get(KM, params={"sort": "newest"}))
    assert from_store(newest) == {*(position.id for position in positions), reply.id}


async def test_an_edit_renders_the_edited_contribution_again(client, db, consultation, three):
    _authors, (first, second, third), reply = three
    await read_and_mark(client, db)
    await edit_contribution(
        db,
        contribution=second,
        consultation=consultation,
        key_message=await db.get_one(KeyMessage, second.key_message_id),
        changes=Changes(body="Position 1, reworded.", language="en", version=version_of(second), position="support"),
        window_minutes=60,
        max_chars=1000,
        now=utcnow() + timedelta(minutes=1),
    )
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {first.id, third.id, reply.id}
    assert "Position 1, reworded." in articles[second.id]


async def test_hiding_and_restoring_render_the_contribution_again(client, db, three):
    _authors, (first, second, third), reply = three
    moderator = await make_user(db, role=Role.MODERATOR)
    await read_and_mark(client, db)
    await set_visibility(db, moderator=moderator, contribution=third, action=ModerationAction.HIDE, reason="Off topic.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {first.id, second.id, reply.id}
    assert "Off topic." in articles[third.id] and "Position 2." not in articles[third.id]
    await set_visibility(db, moderator=moderator, contribution=third, action=ModerationAction.RESTORE, reason="Fine.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    # Restored, it looks as it did before it was hidden: the article stored then is served.
    assert from_store(articles) == {first.id, second.id, third.id, reply.id}
    assert "Position 2." in articles[third.id] and "Off topic." not in articles[third.id]


async def test_an_endorsement_renders_the_endorsed_contribution_again(client, db, three):
    _authors, (first, second, third), reply = three
    endorser = await make_user(db, organisation=await make_organisation(db, name="Cosigning Network"))
    await read_and_mark(client, db)
    await endorse(db, user=endorser, contribution=first, organisation_id=endorser.memberships[0].organisation_id)
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {second.id, third.id, reply.id}
    assert "Cosigning Network" in articles[first.id]


async def test_relabelling_renders_the_contribution_again(client, db, consultation, three):
    _authors, (first, second, third), reply = three
    moderator = await make_user(db, role=Role.MODERATOR)
    topic = consultation.topics[0]
    await read_and_mark(client, db)
    await retag(db, moderator=moderator, contribution=second, topics=[topic.slug], reason="Tagged by topic.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {first.id, third.id, reply.id}
    assert f"/topics/{topic.slug}" in articles[second.id]


async def test_erasing_an_author_renders_their_contributions_again(client, db, three):
    authors, (first, second, third), reply = three
    name = authors[1].display_name
    await db.execute(update(Contribution).where(Contribution.author_id == authors[1].id).values(organisation_id=None))
    await db.commit()
    await read_and_mark(client, db)
    assert name in (await client.get(KM)).text
    await erase_account(db, authors[1], contributions=PersonalContributions.KEEP)
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {first.id, third.id}
    assert name not in articles[second.id] and name not in articles[reply.id]


async def test_verifying_an_organisation_renders_its_contributions_again(client, db, three):
    authors, (first, second, third), reply = three
    moderator = await make_user(db, role=Role.MODERATOR)
    organisation = authors[0].memberships[0].organisation
    await read_and_mark(client, db)
    await verify(db, organisation, moderator=moderator, note="Registry checked.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {second.id, third.id, reply.id}
    assert "badge-verified" in articles[first.id]


async def test_a_new_position_renders_the_one_it_replaces_again(client, db, consultation, three):
    authors, (first, second, third), reply = three
    await read_and_mark(client, db)
    newer = await make_position(db, consultation, author=authors[2], position="oppose", body="Changed our mind.")
    await db.commit()
    articles = articles_by_id(await client.get(KM))
    assert from_store(articles) == {first.id, second.id, reply.id}
    assert "superseded" in articles[third.id] and newer.id in articles


async def test_code_changes_render_every_article_again(client, db, three, monkeypatch):
    await read_and_mark(client, db)
    # A deploy changes the code signature (app.fragments.code_signature signs app/ and templates/).
    monkeypatch.setattr("app.discussion.web.stored_articles.code_signature", lambda: "a-later-release")
    monkeypatch.setattr("app.fragments.code_signature", lambda: "a-later-release")
    await db.execute(update(KeyMessage).values(discussion_version=KeyMessage.discussion_version + 1))
    await db.commit()
    assert from_store(articles_by_id(await client.get(KM))) == set()


async def test_readers_who_may_do_more_get_their_own_articles(client, other_client, db, three):
    _authors, (first, _second, third), _reply = three
    moderator = await make_user(db, role=Role.MODERATOR)
    await set_visibility(db, moderator=moderator, contribution=third, action=ModerationAction.HIDE, reason="Off topic.")
    await db.commit()
    await read_and_mark(client, db)
    await sign_in(other_client, moderator.email, PASSWORD)
    seen_by_moderator = articles_by_id(await other_client.get(KM))
    assert from_store(seen_by_moderator) == set()  # never the anonymous readers' articles
    assert "Position 2." in seen_by_moderator[third.id]  # the hidden text, for moderators only
    assert "/moderate" in seen_by_moderator[first.id]
    anonymous = articles_by_id(await client.get(KM))
    assert "Position 2." not in anonymous[third.id] and "/moderate" not in anonymous[first.id]


async def test_stored_articles_are_keyed_by_content_and_never_by_reader(client, other_client, db, three):
    """Two participants of different organisations may do the same things: they share the
    stored articles, so nothing in them may be personal (no CSRF token, no name of theirs)."""
    authors, *_ = three
    await sign_in(client, authors[0].email, PASSWORD)
    await sign_in(other_client, authors[1].email, PASSWORD)
    first = await client.get(KM)
    stored = set(
        await db.scalars(select(RenderedFragment.key).where(RenderedFragment.key.startswith("content:article:")))
    )
    await other_client.get(KM)
    again = set(
        await db.scalars(select(RenderedFragment.key).where(RenderedFragment.key.startswith("content:article:")))
    )
    assert stored == again and len(stored) == 4
    token = soup(first).select_one("input[name=csrf_token]")["value"]
    html = await db.scalars(select(RenderedFragment.html).where(RenderedFragment.key.in_(stored)))
    assert all(token not in article for article in html)


async def test_a_thread_page_is_assembled_from_stored_articles_too(client, db, three):
    authors, (first, _second, _third), reply = three
    thread = f"/contributions/{first.id}"
    assert (await client.get(thread)).status_code == 200
    await mark_stored_articles(db)
    new = await make_reply(db, author=authors[0], parent=reply, body="Deeper in the thread.")
    await db.commit()
    articles = articles_by_id(await client.get(thread))
    assert from_store(articles) == {first.id, reply.id}
    assert "Deeper in the thread." in articles[new.id]
