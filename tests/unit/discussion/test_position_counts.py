"""The counts tallies read are kept by triggers in the write's transaction: after each kind
of write they equal a recount of the contributions, and a rebuild puts them right."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update

from app.consultation.models import KeyMessage
from app.db import utcnow
from app.demo.generator import generate_demo_data
from app.discussion.contribution_edit import withdraw_contribution
from app.discussion.contribution_write import PERSONAL
from app.discussion.models import Contribution
from app.discussion.position_counts import NO_ORGANISATION, PositionCount, rebuild_position_counts, recounted
from app.discussion.tallies import INDIVIDUAL, UNDISCLOSED, recount_tallies, tallies
from app.moderation.models import ModerationAction
from app.moderation.services import set_visibility
from app.organisations.models import Organisation, OrganisationType
from app.privacy.erasure import PersonalContributions, erase_account
from app.security.roles import Role
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user

REF = "RT2-KM2"
#: The columns a bulk loader copies into contributions, for a position.
COPIED = (
    *("key_message_id", "depth", "body_source", "body_html", "status", "submission_key", "created_at", "updated_at"),
    *("endorsement_count", "author_id", "organisation_id", "position", "publication"),
)


async def stored_counts(db, key_message_ids=None) -> dict[tuple, int]:
    """The rows the triggers keep, but those at 0 (kept so a change back needs no insert)."""
    query = select(PositionCount).where(PositionCount.count != 0)
    if key_message_ids is not None:
        query = query.where(PositionCount.key_message_id.in_(key_message_ids))
    return {
        (c.key_message_id, c.position, c.under_organisation, c.organisation_id): c.count
        for c in (await db.scalars(query.execution_options(populate_existing=True)))
    }


async def recounted_counts(db, key_message_ids=None) -> dict[tuple, int]:
    rows = await db.execute(recounted(key_message_ids))
    return {(km, position, bool(under), organisation): n for km, position, under, organisation, n in rows}


async def assert_in_step(db, key_message_ids=None) -> None:
    """The stored counts equal the recount, row by row and as the tallies pages show."""
    assert await stored_counts(db, key_message_ids) == await recounted_counts(db, key_message_ids)
    ids = key_message_ids or list(await db.scalars(select(KeyMessage.id)))
    assert await tallies(db, ids) == await recount_tallies(db, ids)


async def by_position(db, consultation, ref=REF) -> dict[str, int]:
    message_id = key_message(consultation, ref).id
    return dict((await tallies(db, [message_id]))[message_id].by_position)


async def test_every_kind_of_write_keeps_the_counts_equal_to_a_recount(db, consultation):
    message_id = key_message(consultation, REF).id
    organisation = await make_organisation(db)
    member, colleague = [await make_user(db, organisation=organisation) for _ in range(2)]
    person = await make_user(db, with_organisation=False)
    moderator = await make_user(db, role=Role.MODERATOR)

    first = await make_position(db, consultation, author=member, ref=REF)
    await make_position(db, consultation, author=person, ref=REF, position="oppose")
    await make_position(db, consultation, author=colleague, ref=REF, position="neutral", publication="anonymous")
    await make_position(db, consultation, author=member, ref=REF, organisation_id=PERSONAL, publication="anonymous")
    await make_position(
        db, consultation, author=colleague, ref=REF, organisation_id=PERSONAL, publication="not_for_publication"
    )
    assert await by_position(db, consultation) == {"neutral": 1, "oppose": 1, "support": 1}
    await assert_in_step(db, [message_id])
    assert await stored_counts(db, [message_id]) == {
        (message_id, "neutral", False, NO_ORGANISATION): 1,  # the organisation's, superseding `first`
        (message_id, "oppose", True, NO_ORGANISATION): 1,
        (message_id, "support", False, NO_ORGANISATION): 1,  # the member's own, anonymous
    }
    assert first.superseded_by_id is not None

    before = await stored_counts(db)
    await make_reply(db, author=person, parent=first)
    assert await stored_counts(db) == before, "replies are not positions"

    current = await make_position(db, consultation, author=colleague, ref=REF, position="oppose")
    await set_visibility(
        db, moderator=moderator, contribution=current, action=ModerationAction.HIDE, reason="Off topic."
    )
    assert await by_position(db, consultation) == {"oppose": 1, "support": 1}
    await assert_in_step(db)
    await set_visibility(
        db, moderator=moderator, contribution=current, action=ModerationAction.RESTORE, reason="On topic."
    )
    assert await by_position(db, consultation) == {"oppose": 2, "support": 1}
    await withdraw_contribution(db, contribution=current, consultation=consultation)
    await assert_in_step(db)
    await erase_account(db, person, contributions=PersonalContributions.REMOVE)
    assert await by_position(db, consultation) == {"support": 1}
    await assert_in_step(db)


async def test_an_edited_position_moves_its_count(db, consultation):
    author = await make_user(db)
    position = await make_position(db, consultation, author=author, ref=REF)
    await db.execute(update(Contribution).where(Contribution.id == position.id).values(position="oppose"))
    assert await by_position(db, consultation) == {"oppose": 1}
    await db.execute(update(Contribution).where(Contribution.id == position.id).values(body_source="Changed."))
    await db.execute(update(Contribution).where(Contribution.id == position.id).values(publication="organisation_only"))
    assert await by_position(db, consultation) == {"oppose": 1}
    await assert_in_step(db)


async def test_an_edited_organisation_counts_under_its_new_type_and_place_at_once(db, consultation):
    organisation = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    await make_position(db, consultation, author=await make_user(db, organisation=organisation), ref=REF)
    organisation.type, organisation.country = OrganisationType.DIASPORA, "FR"
    organisation.origin_countries = ["SN", "ML"]
    await db.flush()
    tally = (await tallies(db, [key_message(consultation, REF).id]))[key_message(consultation, REF).id]
    assert {kind: dict(counts) for kind, counts in tally.by_type.items()} == {"diaspora": {"support": 1}}
    assert set(tally.by_country) == {"FR"} and set(tally.by_origin) == {"SN", "ML"}
    await assert_in_step(db)


async def test_a_deleted_organisation_leaves_its_positions_to_their_authors(db, consultation):
    organisation = await make_organisation(db)
    await make_position(db, consultation, author=await make_user(db, organisation=organisation), ref=REF)
    await db.execute(delete(Organisation).where(Organisation.id == organisation.id))  # ON DELETE SET NULL
    tally = (await tallies(db, [key_message(consultation, REF).id]))[key_message(consultation, REF).id]
    assert {kind: dict(counts) for kind, counts in tally.by_type.items()} == {INDIVIDUAL: {"support": 1}}
    await assert_in_step(db)


async def test_deleted_contributions_and_key_messages_take_their_counts_along(db, consultation):
    message_id, other_id = key_message(consultation, REF).id, key_message(consultation, "RT2-KM3").id
    for ref in (REF, "RT2-KM3"):
        await make_position(db, consultation, author=await make_user(db), ref=ref)
        await make_position(db, consultation, author=await make_user(db), ref=ref, publication="anonymous")
    await db.execute(delete(Contribution).where(Contribution.key_message_id == message_id))
    assert await by_position(db, consultation) == {}
    await assert_in_step(db)
    await db.execute(delete(KeyMessage).where(KeyMessage.id == other_id))
    assert await db.scalar(select(func.count()).where(PositionCount.key_message_id == other_id)) == 0
    await assert_in_step(db)


async def test_bulk_inserted_demo_positions_are_counted(db, consultation):
    await generate_demo_data(db, contributions=300, key_message_ref=REF, consultation_slug=None, random_seed=7)
    await generate_demo_data(db, contributions=200, key_message_ref=REF, consultation_slug=None, random_seed=8)
    message_id = key_message(consultation, REF).id
    assert sum((await stored_counts(db, [message_id])).values()) > 0
    await assert_in_step(db, [message_id])


async def test_demo_loads_on_every_key_message_are_counted(db, consultation):
    """On PostgreSQL as a superuser the generator checks foreign keys once per key, with
    ALTER TABLE (app.demo.foreign_keys): the counting triggers still fire, and a second run
    supersedes positions of the first."""
    for seed in (5, 6):
        await generate_demo_data(db, contributions=600, key_message_ref=None, consultation_slug=None, random_seed=seed)
    await assert_in_step(db)


@pytest.mark.database("postgresql")  # COPY is PostgreSQL's
async def test_positions_copied_in_bulk_are_counted(db, consultation):
    """COPY, as a bulk loader may insert (PostgreSQL): one statement, counted as a whole."""
    message_id = key_message(consultation, REF).id
    organisation = await make_organisation(db)
    people = [
        await make_user(db, organisation=organisation),
        *[await make_user(db, with_organisation=False) for _ in range(3)],
    ]
    now = utcnow()
    rows = [
        (people[0].id, organisation.id, "support", "organisation_only"),
        (people[1].id, None, "oppose", "anonymous"),
        (people[2].id, None, "oppose", "anonymous"),
        (people[3].id, None, "oppose", "not_for_publication"),
    ]
    connection = (await (await db.connection()).get_raw_connection()).driver_connection
    await connection.copy_records_to_table(
        "contributions",
        columns=COPIED,
        records=[(message_id, 0, "x", "x", "visible", f"copy-{n}", now, now, 0, *row) for n, row in enumerate(rows)],
    )
    assert await stored_counts(db, [message_id]) == {
        (message_id, "support", True, organisation.id): 1,
        (message_id, "oppose", False, NO_ORGANISATION): 2,
    }
    await assert_in_step(db, [message_id])


async def test_a_rebuild_writes_the_recount_back(db, consultation):
    message_id, other_id = key_message(consultation, REF).id, key_message(consultation, "RT2-KM3").id
    for ref in (REF, "RT2-KM3"):
        await make_position(db, consultation, author=await make_user(db), ref=ref)
        await make_position(db, consultation, author=await make_user(db, with_organisation=False), ref=ref)
    right = await stored_counts(db)
    # As after restoring a backup taken with the triggers off: counts lost and wrong.
    await db.execute(update(PositionCount).values(count=PositionCount.count + 5))
    await db.execute(delete(PositionCount).where(PositionCount.under_organisation.is_(False)))
    wrong = await stored_counts(db)

    assert await rebuild_position_counts(db, [message_id]) == 2
    assert await stored_counts(db, [message_id]) == await recounted_counts(db, [message_id])
    assert await stored_counts(db, [other_id]) == {k: n for k, n in wrong.items() if k[0] == other_id}, (
        "only those asked"
    )
    await rebuild_position_counts(db)
    assert await stored_counts(db) == right
    await assert_in_step(db)


async def test_no_key_messages_no_tallies(db):
    assert await tallies(db, []) == {}
    assert await recount_tallies(db, []) == {}


async def test_undisclosed_counts_join_no_organisation(db, consultation):
    organisation = await make_organisation(db, type=OrganisationType.DIASPORA, country="FR")
    await make_position(
        db, consultation, author=await make_user(db, organisation=organisation), ref=REF, publication="anonymous"
    )
    tally = (await tallies(db, [key_message(consultation, REF).id]))[key_message(consultation, REF).id]
    assert {kind: dict(counts) for kind, counts in tally.by_type.items()} == {UNDISCLOSED: {"support": 1}}


async def test_the_counting_triggers_survive_every_later_migration(db):
    """A migration that rebuilds contributions (SQLite batch mode) drops its triggers; it
    must create them again (migrations/versions/*_position_counts.py has their SQL)."""
    if db.bind.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'contributions'::regclass AND NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'contributions'"
    names = set((await db.execute(text(query))).scalars())
    assert {"position_counts_after_insert", "position_counts_after_update", "position_counts_after_delete"} <= names
