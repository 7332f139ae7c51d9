"""A busy site for the query plan tests (test_query_plans.py): one key message with a
realistic discussion, and twenty times as much elsewhere.

Our key message (RT2-KM3) gets a discussion from the demo generator (app.demo: threads of
positions and replies down to depth 8, every publication choice, withdrawn and hidden ones,
topics, endorsements by many organisations), a few quoted passages, and two crowds that
make threads long: hundreds of replies to its oldest thread and a thousand to one reply
in it. Then the whole discussion, its people and organisations included, is copied to
other key messages: three more of the same consultation and seventeen of a second one (the
seed loaded again under another slug), each copy with ids above every earlier row, so
other key messages are as busy as ours and newer, as on a live site. Copies are made in
SQL (INSERT … SELECT), in a few seconds; most of the build is the migrations and the seed.

Before the copies are made the SQLite file is kept aside (`small_url`): the same queries
must cost the same there as on the busy file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, case, event, func, insert, literal, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage, Topic
from app.consultation.seed import load_seed, read_seed_file
from app.consultation.services import all_key_messages, consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution, ContributionStatus, ContributionTopic, Endorsement, PublicationConsent
from app.organisations.models import Membership, Organisation
from app.text.footnotes import strip_footnote_markers
from tests.conftest import SEED_FILE, SEED_SLUG, build_seeded_database

OURS_REF = "RT2-KM3"
OTHER_SLUG = "elsewhere"
#: Contributions the demo generator writes on our key message (about 70% of them replies).
DEMO_CONTRIBUTIONS = 1_200
#: Direct replies added to the oldest thread, and replies to the first of them.
CROWD_UNDER_ROOT, CROWD_UNDER_REPLY = 600, 1_000
#: Copies of our key message's discussion: on other key messages of our consultation, and
#: on key messages of the other one.
COPIES_HERE, COPIES_THERE = 3, 17
#: The busiest person and organisation take part in this many of the copies too (those of
#: our consultation and some of the other's), so their own lists are long (over LIST_READS
#: of test_query_plans.py) and still about one contribution in a hundred.
BUSIEST_COPIES = 10
#: People and organisations are copied this many times in all (those past the discussions'
#: copies contributed elsewhere, or not yet): about one organisation for every twelve
#: contributions and a person for every four, as in the demo data.
SILENT_COPIES = 50
#: Every n-th of our contributions quotes a passage of the key message; every n-th of our
#: positions is on the topic the tests filter by.
QUOTE_EVERY, TOPIC_EVERY = 9, 4


@dataclass
class BusySite:
    engine: AsyncEngine
    #: The same database before the copies were made (SQLite only: a file kept aside).
    small_url: str | None
    key_message_id: int
    #: The oldest thread's top-level contribution, and its first reply (a thousand replies).
    root_id: int
    crowded_reply_id: int
    #: The person who wrote most on our key message, and the organisation that did (they
    #: take part in BUSIEST_COPIES of the copies too).
    busiest_author_id: int
    busiest_organisation_id: int
    topic_id: int
    #: Rows of `contributions` on our key message, and in our consultation.
    on_key_message: int
    in_consultation: int
    #: Rows per table, for telling big tables from small ones.
    table_rows: dict[str, int]


@dataclass(frozen=True)
class _Ours:
    """What was written on our key message before the copies."""

    consultation: Consultation
    elsewhere: Consultation
    message: KeyMessage
    root_id: int
    crowded_reply_id: int
    busiest: tuple[int, int]  #: person, organisation
    topic_id: int


async def build_busy_site(engine: AsyncEngine, url: str, tmp_dir: Path) -> BusySite:
    await build_seeded_database(engine, url)
    ours = await _discuss_our_key_message(engine)
    await _analyse(engine)
    small_url = _keep_aside(url, tmp_dir) if engine.dialect.name == "sqlite" else None
    await _copy_everything(url, ours)
    await _analyse(engine)
    async with make_sessionmaker(engine)() as db:
        return BusySite(
            engine=engine,
            small_url=small_url,
            key_message_id=ours.message.id,
            root_id=ours.root_id,
            crowded_reply_id=ours.crowded_reply_id,
            busiest_author_id=ours.busiest[0],
            busiest_organisation_id=ours.busiest[1],
            topic_id=ours.topic_id,
            on_key_message=await _contributions_of(db, [ours.message.id]),
            in_consultation=await _contributions_of(db, [m.id for m in all_key_messages(ours.consultation)]),
            table_rows=await _table_rows(db),
        )


async def _discuss_our_key_message(engine: AsyncEngine) -> _Ours:
    async with make_sessionmaker(engine)() as db:
        seed = read_seed_file(SEED_FILE)
        seed["consultation"]["slug"] = OTHER_SLUG
        await load_seed(db, seed)
        consultation = await _consultation(db, SEED_SLUG)
        message = next(m for m in all_key_messages(consultation) if m.ref == OURS_REF)
        await generate_demo_data(
            db,
            contributions=DEMO_CONTRIBUTIONS,
            key_message_ref=OURS_REF,
            consultation_slug=SEED_SLUG,
            random_seed=10,
            reply_share=0.7,
        )
        root_id, crowded_id = await _crowd_the_oldest_thread(db, message.id)
        await _quote_passages(db, message)
        topic_id = await _a_popular_topic(db, message.id, consultation.topics[0].id)
        await db.commit()
        busiest = await _people_of(db, message.id)
        elsewhere = await _consultation(db, OTHER_SLUG)
    return _Ours(consultation, elsewhere, message, root_id, crowded_id, busiest, topic_id)


async def _copy_everything(url: str, ours: _Ours) -> None:
    """The copies of our discussion, then more people and organisations, then more tags."""
    copier = _without_foreign_keys(url)
    async with make_sessionmaker(copier)() as db:
        if copier.dialect.name == "postgresql":  # the same on PostgreSQL (the tests' role is a superuser)
            await db.execute(text("SET LOCAL session_replication_role = replica"))
        targets = [m for m in all_key_messages(ours.consultation) if m.id != ours.message.id][:COPIES_HERE]
        targets += all_key_messages(ours.elsewhere)[:COPIES_THERE]
        last = await _last_ids(db)
        for number, target in enumerate(targets, start=1):
            busiest = ours.busiest if number <= BUSIEST_COPIES else (0, 0)
            await _copy_discussion(db, last, target, number, busiest)
        for number in range(len(targets) + 1, SILENT_COPIES + 1):
            await _copy_people(db, last, number)
        await _tag_densely(db, ours.elsewhere)
        await db.commit()
    await copier.dispose()


def _without_foreign_keys(url: str) -> AsyncEngine:
    """An engine for the copies, which refer only to rows copied with them, without foreign
    key checks. On SQLite a statement that inserts many rows into a table others refer to
    looks for each new row's would-be children, and contributions.parent_id has no index of
    its own: with foreign keys on, each copy took seconds more than the one before."""
    engine = make_engine(url, null_pool=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # after make_engine's own listener

    return engine


async def _consultation(db: AsyncSession, slug: str) -> Consultation:
    consultation = await consultation_by_slug(db, slug)
    assert consultation is not None, slug
    return consultation


async def _crowd_the_oldest_thread(db: AsyncSession, key_message_id: int) -> tuple[int, int]:
    """Replies to the oldest visible public position, and to the first of those: threads
    far longer than a page, at the top of the default order."""
    root = await db.scalar(
        select(Contribution)
        .where(
            Contribution.key_message_id == key_message_id,
            Contribution.parent_id.is_(None),
            Contribution.status == ContributionStatus.VISIBLE,
            Contribution.publication == PublicationConsent.NAMED,
        )
        .order_by(Contribution.created_at, Contribution.id)
        .limit(1)
    )
    assert root is not None
    authors = list(await db.scalars(select(User.id).where(User.email.like("demo-%")).order_by(User.id)))

    def reply(n: int, parent: int, depth: int, seconds: float) -> dict[str, Any]:
        moment = root.created_at + timedelta(seconds=seconds)
        return {
            "key_message_id": key_message_id,
            "author_id": authors[n % len(authors)],
            "parent_id": parent,
            "thread_root_id": root.id,
            "depth": depth,
            "body_source": f"Crowd {n}.",
            "body_html": f"<p>Crowd {n}.</p>",
            "status": ContributionStatus.VISIBLE,
            "publication": PublicationConsent.NAMED,
            "submission_key": f"crowd-{parent}-{n}",
            "created_at": moment,
            "updated_at": moment,
        }

    crowded = await db.scalar(insert(Contribution).values(reply(0, root.id, 1, 0.001)).returning(Contribution.id))
    assert crowded is not None
    await db.execute(insert(Contribution), [reply(n, root.id, 1, 60.0 * n) for n in range(1, CROWD_UNDER_ROOT)])
    await db.execute(insert(Contribution), [reply(n, crowded, 2, 30.0 * n + 1) for n in range(CROWD_UNDER_REPLY)])
    return root.id, crowded


async def _quote_passages(db: AsyncSession, message: KeyMessage) -> None:
    """Every QUOTE_EVERY-th contribution quotes one of a few passages, some overlapping."""
    start = (Contribution.id % 4) * 20
    await db.execute(
        update(Contribution)
        .where(Contribution.key_message_id == message.id, Contribution.id % QUOTE_EVERY == 0)
        .values(
            quote_start=start,
            quote_text=func.substr(strip_footnote_markers(message.text), start + 1, 30 + (Contribution.id % 3) * 10),
        )
    )


async def _people_of(db: AsyncSession, key_message_id: int) -> tuple[int, int]:
    on_ours = Contribution.key_message_id == key_message_id
    author = await db.scalar(
        select(Contribution.author_id).where(on_ours).group_by(Contribution.author_id).order_by(func.count().desc())
    )
    organisation = await db.scalar(
        select(Contribution.organisation_id)
        .where(on_ours, Contribution.organisation_id.is_not(None))
        .group_by(Contribution.organisation_id)
        .order_by(func.count().desc())
    )
    assert author is not None and organisation is not None
    return author, organisation


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


async def _copy_rows(
    db: AsyncSession, model: Any, overrides: dict[str, ColumnElement[Any]], where: ColumnElement[bool]
) -> None:
    """INSERT … SELECT of `model`'s rows matching `where`, every column copied unless
    `overrides` gives it an expression."""
    table = _table(model)
    columns = [column.name for column in table.columns]
    values = [overrides.get(name, table.c[name]) for name in columns]
    await db.execute(insert(table).from_select(columns, select(*values).where(where)))


async def _last_ids(db: AsyncSession) -> dict[str, int]:
    """The highest id of each table copied, before any copy: copies shift ids by multiples."""
    return {
        model.__tablename__: await db.scalar(select(func.max(_table(model).c.id))) or 0
        for model in (User, Organisation, Membership, Contribution, Endorsement)
    }


def _shift(last: dict[str, int], number: int, model: Any, *names: str) -> dict[str, ColumnElement[Any]]:
    """Columns of `model` moved into copy `number`'s range of ids."""
    table = _table(model)
    return {name: table.c[name] + number * (last[_TARGETS[name] or table.name] + 1) for name in names}


def _original(last: dict[str, int], model: Any) -> ColumnElement[bool]:
    return _table(model).c.id <= last[model.__tablename__]


async def _copy_people(db: AsyncSession, last: dict[str, int], number: int) -> None:
    """Every person, organisation and membership there was before the copies, with its ids
    shifted into copy `number`'s range."""
    prefix = literal(f"copy{number}-")
    await _copy_rows(
        db, User, {**_shift(last, number, User, "id"), "email": prefix + User.email}, _original(last, User)
    )
    await _copy_rows(
        db,
        Organisation,
        {**_shift(last, number, Organisation, "id", "verified_by_id"), "name_key": prefix + Organisation.name_key},
        _original(last, Organisation),
    )
    await _copy_rows(
        db,
        Membership,
        _shift(last, number, Membership, "id", "user_id", "organisation_id"),
        _original(last, Membership),
    )


async def _copy_discussion(
    db: AsyncSession, last: dict[str, int], target: KeyMessage, number: int, busiest: tuple[int, int]
) -> None:
    """Our key message's discussion (every contribution there was before the copies), its
    people, endorsements and tags, copied onto `target` with ids shifted into copy `number`'s
    range: another crowd discussing another key message the same way, except the busiest
    person and organisation (`busiest`; (0, 0) for none), who take part in it too."""
    await _copy_people(db, last, number)
    shifted = _shift(last, number, Contribution, "id", "parent_id", "thread_root_id", "superseded_by_id")
    person, organisation = _shift(last, number, Contribution, "author_id", "organisation_id").values()
    busiest_person, busiest_organisation = busiest
    await _copy_rows(
        db,
        Contribution,
        {
            **shifted,
            "key_message_id": literal(target.id),
            "submission_key": literal(f"copy{number}-") + Contribution.submission_key,
            "author_id": case((Contribution.author_id == busiest_person, Contribution.author_id), else_=person),
            "organisation_id": case(
                (Contribution.organisation_id == busiest_organisation, Contribution.organisation_id),
                else_=organisation,
            ),
        },
        _original(last, Contribution),
    )
    await _copy_rows(
        db,
        Endorsement,
        _shift(last, number, Endorsement, "id", "contribution_id", "organisation_id", "endorsed_by_id"),
        _original(last, Endorsement),
    )
    await _copy_tags(db, last, target, number)


#: The table a shifted column points into (None: the row's own table).
_TARGETS: dict[str, str | None] = {
    "id": None,
    "parent_id": "contributions",
    "thread_root_id": "contributions",
    "superseded_by_id": "contributions",
    "contribution_id": "contributions",
    "author_id": "users",
    "user_id": "users",
    "endorsed_by_id": "users",
    "verified_by_id": "users",
    "organisation_id": "organisations",
}


async def _copy_tags(db: AsyncSession, last: dict[str, int], target: KeyMessage, number: int) -> None:
    """Tags move to the topic of the same slug in the target's consultation."""
    theirs = select(Topic.id, Topic.slug).where(Topic.consultation_id == target.consultation_id).subquery()
    tagged = (
        select(ContributionTopic.contribution_id + number * (last["contributions"] + 1), theirs.c.id)
        .join(Topic, Topic.id == ContributionTopic.topic_id)
        .join(theirs, theirs.c.slug == Topic.slug)
        .where(ContributionTopic.contribution_id <= last["contributions"])
    )
    await db.execute(insert(ContributionTopic).from_select(["contribution_id", "topic_id"], tagged))


async def _tag_densely(db: AsyncSession, consultation: Consultation) -> None:
    """One topic more on every contribution of the other consultation, so that most topic
    tags, like most contributions, are elsewhere (about one for each contribution)."""
    ids = [message.id for message in all_key_messages(consultation)]
    for number, topic in enumerate(consultation.topics):
        untagged = (
            ~select(ContributionTopic.contribution_id)
            .where(ContributionTopic.contribution_id == Contribution.id, ContributionTopic.topic_id == topic.id)
            .exists()
        )
        chosen = select(Contribution.id, literal(topic.id)).where(
            Contribution.key_message_id.in_(ids), Contribution.id % len(consultation.topics) == number, untagged
        )
        await db.execute(insert(ContributionTopic).from_select(["contribution_id", "topic_id"], chosen))


async def _analyse(engine: AsyncEngine) -> None:
    """Statistics as a live database has them (autovacuum's ANALYZE; SQLite's `ANALYZE`), and
    PostgreSQL's sequences moved past the copied ids."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql":
            for table in ("users", "organisations", "memberships", "contributions", "endorsements"):
                sequence = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - names from the tuple above
                await autocommit.execute(text(sequence))
            # Every row in the sample (the default samples 30,000), so the statistics, and so
            # the plans, are the same on every run.
            await autocommit.execute(text("SET default_statistics_target = 1000"))
            await autocommit.execute(text("VACUUM ANALYZE"))
        else:
            await autocommit.execute(text("ANALYZE"))


def _keep_aside(url: str, tmp_dir: Path) -> str:
    """A copy of the SQLite database as it is, statistics included (a plain connection: the
    engine's begins a transaction, where VACUUM cannot run)."""
    small = tmp_dir / "small.db"
    small.unlink(missing_ok=True)
    with closing(sqlite3.connect(cast(str, make_url(url).database))) as connection:
        connection.execute("VACUUM INTO ?", (str(small),))
    return str(make_url(url).set(database=str(small)))


async def _table_rows(db: AsyncSession) -> dict[str, int]:
    names = ("contributions", "contribution_topics", "endorsements", "users", "organisations", "memberships")
    return {name: await db.scalar(select(func.count()).select_from(text(name))) or 0 for name in names}


async def _contributions_of(db: AsyncSession, key_message_ids: list[int]) -> int:
    count = select(func.count()).where(Contribution.key_message_id.in_(key_message_ids))
    return await db.scalar(count) or 0


async def _a_popular_topic(db: AsyncSession, key_message_id: int, topic_id: int) -> int:
    """Every TOPIC_EVERY-th position is tagged with the topic too: a topic filter has pages
    to show, and the rest of the list is on other topics."""
    untagged = (
        ~select(ContributionTopic.contribution_id)
        .where(ContributionTopic.contribution_id == Contribution.id, ContributionTopic.topic_id == topic_id)
        .exists()
    )
    positions = select(Contribution.id, literal(topic_id)).where(
        Contribution.key_message_id == key_message_id,
        Contribution.parent_id.is_(None),
        Contribution.id % TOPIC_EVERY == 0,
        untagged,
    )
    await db.execute(insert(ContributionTopic).from_select(["contribution_id", "topic_id"], positions))
    return topic_id
