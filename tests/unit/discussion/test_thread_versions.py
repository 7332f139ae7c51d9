"""Thread versions and the key message's summary versions, kept by triggers (migration
e7a4c1f9d263): every write to a thread moves its version, whichever path makes it, and
leaves other threads alone; a write that changes what the page summarises moves that
summary's version only: the position table (a top-level contribution), the amendments (a
contribution proposing wording), the highlighted text (a quoting one). A plain reply moves
none. On SQLite and PostgreSQL (statement triggers there: bulk inserts are checked too)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from app.consultation.models import KeyMessage
from app.db import utcnow
from app.demo.generator import generate_demo_data
from app.discussion.contribution_edit import Changes, edit_contribution, version_of, withdraw_contribution
from app.discussion.endorsements import endorse, withdraw_endorsement
from app.discussion.models import Attachment, Contribution
from app.discussion.thread_versions import ThreadVersion
from app.moderation.models import ModerationAction
from app.moderation.services import retag, set_visibility
from app.security.roles import Role
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user

REF = "RT2-KM3"
REASON = "Off topic here."


SUMMARIES = ("tally", "amendments", "quotes")


async def thread_versions(db, root_ids) -> dict[int, int]:
    """Each thread's version, 0 where the triggers wrote none yet."""
    rows = await db.execute(
        select(ThreadVersion.root_id, ThreadVersion.version).where(ThreadVersion.root_id.in_(root_ids))
    )
    return dict.fromkeys(root_ids, 0) | dict(rows.all())


async def summary_versions(db, consultation) -> dict[str, int]:
    columns = [getattr(KeyMessage, f"{name}_version") for name in SUMMARIES]
    row = (await db.execute(select(*columns).where(KeyMessage.id == key_message(consultation, REF).id))).one()
    return dict(zip(SUMMARIES, row, strict=True))


class Watch:
    """The versions of some threads and of the key message's summaries, before and after:
    `moved` (root ids) and `summaries` (names) say which changed."""

    def __init__(self, db, consultation, *roots: Contribution) -> None:
        self.db, self.consultation, self.roots = db, consultation, [root.id for root in roots]

    async def __aenter__(self) -> Watch:
        self.before = await thread_versions(self.db, self.roots)
        self.summaries_before = await summary_versions(self.db, self.consultation)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.db.flush()
        after = await thread_versions(self.db, self.roots)
        self.moved = {root for root in self.roots if after[root] != self.before[root]}
        after_summaries = await summary_versions(self.db, self.consultation)
        self.summaries = {name for name in SUMMARIES if after_summaries[name] != self.summaries_before[name]}


async def two_threads(db, consultation):
    first = await make_position(db, consultation, author=await make_user(db), body="First thread.")
    second = await make_position(db, consultation, author=await make_user(db), body="Second thread.")
    reply = await make_reply(db, author=await make_user(db), parent=first, body="A reply in the first.")
    await db.flush()
    return first, second, reply


async def test_a_reply_moves_its_thread_only_and_no_summary(db, consultation):
    first, second, reply = await two_threads(db, consultation)
    async with Watch(db, consultation, first, second) as watch:
        await make_reply(db, author=await make_user(db), parent=reply, body="Deeper.")
    assert watch.moved == {first.id} and watch.summaries == set()


async def test_a_reply_quoting_the_text_moves_the_highlighted_text(db, consultation):
    first, second, _reply = await two_threads(db, consultation)
    text = key_message(consultation, REF).text
    async with Watch(db, consultation, first, second) as watch:
        await make_reply(db, author=await make_user(db), parent=first, quote_text=text[:20])
    assert watch.moved == {first.id} and watch.summaries == {"quotes"}


async def test_a_new_position_moves_its_own_thread_and_the_tally(db, consultation):
    first, second, _reply = await two_threads(db, consultation)
    async with Watch(db, consultation, first, second) as watch:
        third = await make_position(db, consultation, author=await make_user(db), body="Third.")
    assert watch.moved == set() and watch.summaries == {"tally"}
    assert (await thread_versions(db, [third.id]))[third.id] > 0


async def test_an_amendment_moves_the_tally_and_the_amendments(db, consultation):
    first, second, _reply = await two_threads(db, consultation)
    async with Watch(db, consultation, first, second) as watch:
        await make_position(db, consultation, author=await make_user(db), position="support_with_amendments")
    assert watch.summaries == {"tally", "amendments"}


async def test_editing_and_withdrawing_a_reply_move_its_thread(db, consultation):
    first, second, reply = await two_threads(db, consultation)
    message = key_message(consultation, REF)
    async with Watch(db, consultation, first, second) as watch:
        await edit_contribution(
            db,
            contribution=reply,
            consultation=consultation,
            key_message=message,
            changes=Changes(body="Reworded reply.", language="en", version=version_of(reply)),
            window_minutes=60,
            max_chars=1000,
            now=utcnow() + timedelta(minutes=1),
        )
    assert watch.moved == {first.id} and watch.summaries == set()
    async with Watch(db, consultation, first, second) as watch:
        await withdraw_contribution(db, contribution=reply, consultation=consultation)
    assert watch.moved == {first.id}


async def test_moderation_moves_the_thread_and_for_a_position_the_tally(db, consultation):
    first, second, reply = await two_threads(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    async with Watch(db, consultation, first, second) as watch:
        await set_visibility(db, moderator=moderator, contribution=reply, action=ModerationAction.HIDE, reason=REASON)
    assert watch.moved == {first.id} and watch.summaries == set()
    async with Watch(db, consultation, first, second) as watch:
        await set_visibility(db, moderator=moderator, contribution=second, action=ModerationAction.HIDE, reason=REASON)
    assert watch.moved == {second.id} and watch.summaries == {"tally"}


async def test_endorsing_and_withdrawing_an_endorsement_move_the_thread(db, consultation):
    first, second, _reply = await two_threads(db, consultation)
    endorser = await make_user(db, organisation=await make_organisation(db))
    organisation_id = endorser.memberships[0].organisation_id
    async with Watch(db, consultation, first, second) as watch:
        await endorse(db, user=endorser, contribution=second, organisation_id=organisation_id)
    assert watch.moved == {second.id} and watch.summaries == {"tally"}
    async with Watch(db, consultation, first, second) as watch:
        await withdraw_endorsement(db, user=endorser, contribution=second, organisation_id=organisation_id)
    assert watch.moved == {second.id}


async def test_retagging_moves_the_thread(db, consultation):
    first, second, reply = await two_threads(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    topic = consultation.topics[0]
    async with Watch(db, consultation, first, second) as watch:
        await retag(db, moderator=moderator, contribution=reply, topics=[topic.slug], reason="On topic.")
    assert watch.moved == {first.id}
    async with Watch(db, consultation, first, second) as watch:
        await retag(db, moderator=moderator, contribution=reply, topics=[], reason="Not on it after all.")
    assert watch.moved == {first.id}


async def test_an_attachment_added_or_removed_moves_the_thread(db, consultation):
    first, second, _reply = await two_threads(db, consultation)
    async with Watch(db, consultation, first, second) as watch:
        paper = Attachment(
            contribution_id=second.id,
            storage_name="0" * 64,
            original_name="paper.pdf",
            content_type="application/pdf",
            size_bytes=10,
            sha256="0" * 64,
        )
        db.add(paper)
    assert watch.moved == {second.id} and watch.summaries == {"tally"}
    async with Watch(db, consultation, first, second) as watch:
        await db.execute(delete(Attachment).where(Attachment.id == paper.id))
    assert watch.moved == {second.id}


async def test_a_deleted_reply_moves_its_thread(db, consultation):
    first, second, reply = await two_threads(db, consultation)
    async with Watch(db, consultation, first, second) as watch:
        await db.execute(delete(Contribution).where(Contribution.id == reply.id))
    assert watch.moved == {first.id}


async def test_the_superseded_position_moves_with_the_one_that_replaced_it(db, consultation):
    """The superseded position links to the newer one only while the reader may follow it:
    hiding the newer one changes how the older one looks."""
    author = await make_user(db)
    older = await make_position(db, consultation, author=author, body="Our first view.")
    other = await make_position(db, consultation, author=await make_user(db), body="Someone else.")
    async with Watch(db, consultation, older, other) as watch:
        newer = await make_position(db, consultation, author=author, position="oppose", body="Our second view.")
    assert watch.moved == {older.id}
    moderator = await make_user(db, role=Role.MODERATOR)
    async with Watch(db, consultation, older, newer, other) as watch:
        await set_visibility(db, moderator=moderator, contribution=newer, action=ModerationAction.HIDE, reason=REASON)
    assert watch.moved == {older.id, newer.id}


async def test_bulk_inserts_move_every_thread_they_write_to(db, consultation):
    """The demo generator writes by COPY (PostgreSQL) or executemany: one statement for
    thousands of rows still moves each thread it touched and the summaries (the generator
    writes positions, amendments among them, but no quotes)."""
    before = await summary_versions(db, consultation)
    await generate_demo_data(db, contributions=300, key_message_ref=REF, consultation_slug=None, random_seed=5)
    await db.flush()
    message = key_message(consultation, REF)
    roots = list(
        await db.scalars(
            select(Contribution.id).where(Contribution.key_message_id == message.id, Contribution.parent_id.is_(None))
        )
    )
    replied = set(
        await db.scalars(select(Contribution.thread_root_id).where(Contribution.key_message_id == message.id))
    ) - {None}
    versions = await thread_versions(db, roots)
    assert replied and all(versions[root] > 0 for root in roots)
    after = await summary_versions(db, consultation)
    assert after["tally"] > before["tally"] and after["amendments"] > before["amendments"]
