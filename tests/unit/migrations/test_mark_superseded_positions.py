"""The backfill that marks earlier duplicate positions superseded (c4d2a7e9f103): positions
inserted at the revision before it, as the site wrote them then, come out with the latest
of each speaker current and the earlier ones pointing at it; the downgrade clears it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.databases import fresh_database_url
from tests.unit.migrations.test_migrations import alembic

BEFORE, BACKFILL = "c4d2a7e9f102", "c4d2a7e9f103"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# Lightweight tables of the columns the test writes, as they are at revision BEFORE.
NOW = sa.DateTime(timezone=True)
consultations = sa.table(
    "consultations",
    *(sa.column(c) for c in ("id", "slug", "title", "summary", "source_reference", "language", "status")),
    sa.column("positions", sa.JSON),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)
sections = sa.table(
    "sections", *(sa.column(c) for c in ("id", "consultation_id", "number", "kind", "title", "position", "language"))
)
key_messages = sa.table(
    "key_messages",
    *(sa.column(c) for c in ("id", "consultation_id", "section_id", "ref", "kind", "position", "text", "language")),
    sa.column("discussion_version"),
)
users = sa.table(
    "users",
    *(sa.column(c) for c in ("id", "email", "display_name", "is_active")),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)
organisations = sa.table(
    "organisations",
    *(sa.column(c) for c in ("id", "name", "name_key", "type", "country")),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)
contributions = sa.table(
    "contributions",
    *(sa.column(c) for c in ("id", "key_message_id", "author_id", "organisation_id", "parent_id", "thread_root_id")),
    *(sa.column(c) for c in ("depth", "position", "body_source", "body_html", "status", "submission_key")),
    sa.column("superseded_by_id"),
    sa.column("created_at", NOW),
    sa.column("updated_at", NOW),
)


async def _insert_text(connection) -> None:
    stamp = {"created_at": T0, "updated_at": T0}
    await connection.execute(
        consultations.insert().values(
            id=1,
            slug="c",
            title="C",
            summary="",
            source_reference="R",
            language="en",
            status="open",
            positions=["support", "oppose"],
            **stamp,
        )
    )
    await connection.execute(
        sections.insert().values(
            id=1, consultation_id=1, number="1", kind="roundtable", title="S", position=1, language="en"
        )
    )
    for number in (1, 2):
        await connection.execute(
            key_messages.insert().values(
                id=number,
                consultation_id=1,
                section_id=1,
                ref=f"KM{number}",
                kind="key_message",
                position=number,
                text="Text.",
                language="en",
            )
        )
    for number in (1, 2, 3):
        await connection.execute(
            users.insert().values(
                id=number, email=f"p{number}@example.org", display_name=f"P{number}", is_active=True, **stamp
            )
        )
    for number in (1, 2):
        await connection.execute(
            organisations.insert().values(
                id=number, name=f"O{number}", name_key=f"o{number}", type="ngo", country="SN", **stamp
            )
        )


#: (id, key message, author, organisation, parent, minutes after T0)
POSITIONS = [
    (1, 1, 1, 1, None, 0),  # organisation 1, first
    (2, 1, 2, 1, None, 30),  # organisation 1, the latest, by another member
    (3, 1, 1, 1, None, 10),  # organisation 1: a larger id but posted earlier than 2
    (4, 1, 1, None, None, 0),  # person 1 for themselves
    (5, 1, 1, None, None, 5),  # person 1 again: supersedes 4, not organisation 1's
    (6, 1, 1, 1, 1, 40),  # a reply: never a position
    (7, 2, 1, 1, None, 0),  # organisation 1 on another key message
    (8, 1, 3, 2, None, 0),  # organisation 2: one position
    (9, 1, 3, None, None, 20),  # person 3, twice at the same moment: the larger id wins
    (10, 1, 3, None, None, 20),
]
EXPECTED = {1: 2, 2: None, 3: 2, 4: 5, 5: None, 6: None, 7: None, 8: None, 9: 10, 10: None}


async def _insert_positions(connection) -> None:
    for identifier, message, author, organisation, parent, minutes in POSITIONS:
        moment = T0 + timedelta(minutes=minutes)
        await connection.execute(
            contributions.insert().values(
                id=identifier,
                key_message_id=message,
                author_id=author,
                organisation_id=organisation,
                parent_id=parent,
                thread_root_id=parent,
                depth=0 if parent is None else 1,
                position=None if parent else "support",
                body_source="x",
                body_html="<p>x</p>",
                status="visible",
                submission_key=f"key-{identifier:08d}",
                created_at=moment,
                updated_at=moment,
            )
        )


async def _marks(url: str) -> tuple[dict[int, int | None], dict[int, int]]:
    engine = make_engine(url, null_pool=True)
    async with engine.connect() as connection:
        marks = dict((await connection.execute(sa.select(contributions.c.id, contributions.c.superseded_by_id))).all())
        versions = dict(
            (await connection.execute(sa.select(key_messages.c.id, key_messages.c.discussion_version))).all()
        )
    await engine.dispose()
    return marks, versions


async def test_the_latest_position_of_each_speaker_stays_current(database_url, tmp_path):
    url = await fresh_database_url(database_url, "backfill", tmp_path)
    assert alembic(url, "upgrade", BEFORE).returncode == 0
    engine = make_engine(url, null_pool=True)
    async with engine.begin() as connection:
        await _insert_text(connection)
        await _insert_positions(connection)
    await engine.dispose()
    result = alembic(url, "upgrade", BACKFILL)
    assert result.returncode == 0, result.stderr
    marks, versions = await _marks(url)
    assert marks == EXPECTED
    assert versions == {1: 1, 2: 0}, "cached fragments of the changed discussion are rendered again"

    engine = make_engine(url, null_pool=True)
    with pytest.raises(IntegrityError):  # from now on the database refuses a second current one
        async with engine.begin() as connection:
            moment = T0 + timedelta(hours=1)
            await connection.execute(
                contributions.insert().values(
                    key_message_id=1,
                    author_id=3,
                    organisation_id=1,
                    depth=0,
                    position="oppose",
                    body_source="x",
                    body_html="x",
                    status="visible",
                    submission_key="another-key",
                    created_at=moment,
                    updated_at=moment,
                )
            )
    await engine.dispose()

    result = alembic(url, "downgrade", BEFORE)
    assert result.returncode == 0, result.stderr
    marks, _versions = await _marks(url)
    assert marks == dict.fromkeys(EXPECTED)
