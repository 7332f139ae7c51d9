"""How many SQL statements one post costs, per path: pinned, so the count cannot silently grow.

A count, not a timing: every statement is a round trip to the database, and posting must stay
cheap under load (issue 10, bench/concurrent_posting.py). Before issue 10 a position took 16
statements in two transactions on the plain path and 21 with htmx; a reply 9 and 16.

The in-process app runs each request in a savepoint of the test's transaction: its SAVEPOINT
and RELEASE stand in for the BEGIN and COMMIT of a served request (which asyncpg sends outside
the statements counted here). A post is one transaction: one SAVEPOINT, first, and one
RELEASE, last. The budget of each path lists its statements; MARGIN leaves room for one more
before this test asks whether it is worth its round trip."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from app.main import create_app
from tests.conftest import _sessionmaker
from tests.factories import PASSWORD, make_position, make_user
from tests.support import post_form, sign_in

KM = "/consultations/com-2013-292/messages/RT2-KM3"
HTMX = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{KM}"}
MARGIN = 1

#: Every post: the transaction, who is asking (session, person, memberships and roles in one
#: joined query) and the key message with its consultation and section, then the
#: consultation's topics (loaded with it), then the contribution and the discussion's version.
EVERY_POST = ["SAVEPOINT", "session and person", "key message in context", "topics", "INSERT", "version", "RELEASE"]
#: A position also: PostgreSQL's lock on the speaker (app.discussion.supersession.hold_speaker;
#: SQLite writes one at a time anyway), and, as it replaces the speaker's earlier one, the
#: UPDATE pointing the earlier ones at it and the one making it current. Whether it is on the
#: key message's first page (where to read it) comes back with the version's UPDATE.
POSITION = ["lock speaker", "UPDATE earlier", "UPDATE current"]
#: With htmx the answer shows the fresh form, so also the tally and the person's current positions.
POSITION_HTMX = ["tally", "current positions"]
#: A reply first loads what it answers (with its people), then asks whether its thread was
#: merged into another (a merged thread takes no reply: app.moderation.merges).
REPLY = ["parent", "merged thread"]
#: With the posting limits on: the author's row, locked; then one statement reads the rate, the
#: repeated text and whether this form was sent before.
LIMITS = ["lock author", "limits"]


@contextmanager
def statements_of(connection: AsyncConnection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


def budget(connection: AsyncConnection, *parts: list[str]) -> list[str]:
    statements = [name for part in parts for name in part]
    if connection.dialect.name == "postgresql":
        return statements
    return [name for name in statements if name != "lock speaker"]


async def second_post(client, url: str, data: dict[str, str], connection, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of the second of two posts: the first position has none to replace."""
    for number in range(2):
        form = {**data, "body": f"{data['body']} ({number})", "submission_key": secrets.token_hex(10)}
        with statements_of(connection) as seen:
            response = await post_form(client, url, form, **kwargs)
        assert response.status_code in {200, 303}, response.text
    return seen


def assert_within(seen: list[str], expected: list[str]) -> None:
    listing = "\n".join(seen)
    assert seen[0].startswith("SAVEPOINT") and seen[-1].startswith("RELEASE SAVEPOINT"), listing
    assert sum(s.startswith(("SAVEPOINT", "ROLLBACK")) for s in seen) == 1, f"one transaction:\n{listing}"
    assert len(seen) <= len(expected) + MARGIN, f"expected {len(expected)}: {expected}\n{listing}"


async def signed_in(client, db) -> None:  # type: ignore[no-untyped-def]
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_position(client, db, connection, htmx):
    await signed_in(client, db)
    seen = await second_post(
        client,
        f"{KM}/contributions",
        {"body": "Counted.", "position": "support"},
        connection,
        headers=HTMX if htmx else {},
    )
    assert_within(seen, budget(connection, EVERY_POST, POSITION, POSITION_HTMX if htmx else []))


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_reply(client, db, connection, consultation, htmx):
    user = await make_user(db)
    parent = await make_position(db, consultation, author=user)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    url = f"/contributions/{parent.id}/replies"
    seen = await second_post(client, url, {"body": "Counted."}, connection, headers=HTMX if htmx else {})
    assert_within(seen, budget(connection, EVERY_POST, REPLY))


@pytest.fixture
async def limited(settings, connection) -> AsyncIterator[httpx.AsyncClient]:
    strict = replace(settings, posting_limit_per_minute=10, duplicate_text_window_minutes=10)
    app = create_app(strict, sessionmaker=_sessionmaker(connection))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_a_position_within_the_posting_limits(limited, db, connection):
    await signed_in(limited, db)
    seen = await second_post(limited, f"{KM}/contributions", {"body": "Counted.", "position": "support"}, connection)
    assert_within(seen, budget(connection, EVERY_POST, POSITION, LIMITS))
