"""A key message's list is assembled from threads rendered one by one and stored (issue 10):
after a reply, its next reader renders that one thread, not the page; the tally and the
highlighted text are kept until a position or a quote changes them.

Each test reads the page (which stores every thread), then marks the stored threads in the
database. After a change, a thread still carrying the mark was served from the store; one
without it was rendered again. Which writes move which thread is tested on the triggers
themselves (tests/unit/discussion/test_thread_versions.py)."""

from __future__ import annotations

import re

from sqlalchemy import func, literal, select, update

from app.fragments import RenderedFragment
from app.moderation.models import ModerationAction
from app.moderation.services import set_visibility
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import sign_in

KM = "/consultations/com-2013-292/messages/RT2-KM3"
MARK = "<!--stored-thread-->"
REASON = "Insulting language."
MARKED = re.compile(re.escape(MARK) + r'<li id="c(\d+)"')


async def mark(db, prefix: str = "thread:") -> int:
    """Put MARK before every stored fragment whose key starts with `prefix` (once: a mark
    left from before is taken off first)."""
    result = await db.execute(
        update(RenderedFragment)
        .where(RenderedFragment.key.startswith(prefix))
        .values(html=literal(MARK).concat(func.replace(RenderedFragment.html, MARK, "")))
    )
    await db.commit()
    return result.rowcount


def stored_threads(response) -> set[int]:
    return {int(root_id) for root_id in MARKED.findall(response.text)}


async def threads(db, consultation, count: int = 3):
    authors = [await make_user(db) for _ in range(count)]
    roots = [await make_position(db, consultation, author=a, body=f"Position {n}.") for n, a in enumerate(authors)]
    await db.commit()
    return authors, roots


async def test_after_a_reply_only_its_thread_is_rendered_again(client, db, consultation):
    authors, (first, second, third) = await threads(db, consultation)
    assert (await client.get(KM)).status_code == 200
    assert await mark(db) == 3
    await make_reply(db, author=authors[0], parent=second, body="A reply to the second.")
    await db.commit()
    page = await client.get(KM)
    assert stored_threads(page) == {first.id, third.id}
    assert "A reply to the second." in page.text


async def test_show_more_and_other_orders_take_the_stored_threads(client, db, consultation):
    _authors, roots = await threads(db, consultation)
    await client.get(KM)
    await mark(db)
    assert stored_threads(await client.get(KM, params={"sort": "newest"})) == {root.id for root in roots}
    assert stored_threads(await client.get(KM, params={"sort": "endorsed"})) == {root.id for root in roots}


async def test_hiding_a_reply_renders_its_thread_again_without_the_text(client, db, consultation):
    authors, (first, second, _third) = await threads(db, consultation)
    reply = await make_reply(db, author=authors[2], parent=first, body="Words to hide.")
    await db.commit()
    await client.get(KM)
    await mark(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await set_visibility(db, moderator=moderator, contribution=reply, action=ModerationAction.HIDE, reason=REASON)
    await db.commit()
    page = await client.get(KM)
    assert first.id not in stored_threads(page) and second.id in stored_threads(page)
    assert "Words to hide." not in page.text


async def test_a_reply_keeps_every_summary_and_a_position_only_what_it_leaves_alone(client, db, consultation):
    authors, (first, _second, _third) = await threads(db, consultation)
    await make_position(db, consultation, author=authors[0], position="support_with_amendments", body="Reworded.")
    await db.commit()
    await client.get(KM)
    assert await mark(db, "km:") == 4  # the list, the tally, the amendments and the highlighted text
    await make_reply(db, author=authors[1], parent=first, body="Only a reply.")
    await db.commit()
    page = await client.get(KM)
    assert page.text.count(MARK) == 3  # the list changed; nothing it summarises did
    await mark(db, "km:")
    await make_position(db, consultation, author=await make_user(db), position="oppose", body="A fourth view.")
    await db.commit()
    page = await client.get(KM)
    assert page.text.count(MARK) == 2  # the amendments and the text: the list and the tally changed
    assert "A fourth view." in page.text
    await mark(db, "km:")
    amending = await make_user(db)
    await make_position(db, consultation, author=amending, position="support_with_amendments", body="Reword it.")
    await db.commit()
    page = await client.get(KM)
    assert page.text.count(MARK) == 1  # the text only
    assert "Reword it." in page.text


async def test_a_thread_stored_for_anonymous_readers_is_never_a_moderators(client, other_client, db, consultation):
    authors, (first, _second, _third) = await threads(db, consultation)
    hidden = await make_reply(db, author=authors[1], parent=first, body="Hidden words.")
    await db.commit()
    moderator = await make_user(db, role=Role.MODERATOR)
    await set_visibility(db, moderator=moderator, contribution=hidden, action=ModerationAction.HIDE, reason=REASON)
    await db.commit()
    await client.get(KM)
    await mark(db)
    await sign_in(other_client, moderator.email, PASSWORD)
    seen = await other_client.get(KM)
    assert stored_threads(seen) == set() and "Hidden words." in seen.text
    assert "Hidden words." not in (await client.get(KM)).text
    keys = await db.scalars(select(RenderedFragment.key).where(RenderedFragment.key.startswith("thread:")))
    variants = {key.rsplit(":", 1)[1] for key in keys}
    assert len(variants) == 2


async def test_the_page_is_sent_before_what_it_rendered_is_stored(app, db, connection, consultation):
    """The reader who rendered the threads does not wait for them to be written: the page's
    last byte goes out first, and the threads are stored before the request ends."""
    await threads(db, consultation)
    stored = select(func.count()).select_from(RenderedFragment).where(RenderedFragment.key.startswith("thread:"))
    stored_when_sent: list[int] = []
    body = bytearray()

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.body":
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                # On the app's own connection, outside any session: what it has written so far.
                stored_when_sent.append(await connection.scalar(stored))

    path, _sep, query = KM.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    assert "Position 2." in body.decode()
    assert stored_when_sent == [0]
    assert await connection.scalar(stored) == 3
