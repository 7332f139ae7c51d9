"""Everything the demo data promises, checked on one run over every key message, on SQLite
and PostgreSQL: the rules the site keeps when people post one at a time hold for rows
written in bulk too."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from app.consultation.models import KeyMessage
from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution, ContributionTopic, Endorsement

COUNT = 1500


async def generated(db) -> list[Contribution]:
    before = await db.scalar(select(func.coalesce(func.max(Contribution.id), 0)))
    await generate_demo_data(db, contributions=COUNT, key_message_ref=None, consultation_slug=None, random_seed=21)
    query = select(Contribution).where(Contribution.id > before).order_by(Contribution.id)
    return list((await db.scalars(query)).all())


def speaker(c: Contribution) -> tuple[int, str, int]:
    if c.organisation_id is not None:
        return (c.key_message_id, "organisation", c.organisation_id)
    return (c.key_message_id, "person", c.author_id)


async def test_one_current_position_per_speaker_and_the_others_point_at_it(db, consultation):
    added = await generated(db)
    latest: dict[tuple[int, str, int], int] = {}
    for c in added:
        if c.parent_id is None:
            latest[speaker(c)] = c.id  # in id order: the last one wins
    for c in added:
        expected = None if c.parent_id is not None or latest[speaker(c)] == c.id else latest[speaker(c)]
        assert c.superseded_by_id == expected
    assert len({c.key_message_id for c in added}) > 13
    assert sum(1 for c in added if c.superseded_by_id is not None) > COUNT / 10


async def test_threads_hold_together_and_ids_grow_with_time(db, consultation):
    added = await generated(db)
    by_id = {c.id: c for c in added}
    assert [c.created_at for c in added] == sorted(c.created_at for c in added)
    for c in added:
        if c.parent_id is None:
            assert c.thread_root_id is None and c.depth == 0 and c.position in consultation.positions
            continue
        parent = by_id[c.parent_id]
        assert parent.key_message_id == c.key_message_id and c.depth == parent.depth + 1
        assert c.thread_root_id == (parent.thread_root_id or parent.id) and c.position is None
    assert len({c.submission_key for c in added}) == COUNT


async def test_endorsement_counts_topics_and_the_discussion_version(db, consultation):
    versions = {k: v for k, v in await db.execute(select(KeyMessage.id, KeyMessage.discussion_version))}
    added = await generated(db)
    ids = [c.id for c in added]
    endorsements = Counter(
        await db.scalars(select(Endorsement.contribution_id).where(Endorsement.contribution_id.in_(ids)))
    )
    assert all(c.endorsement_count == endorsements[c.id] for c in added) and sum(endorsements.values()) > COUNT / 2
    topics: dict[int, set[int]] = defaultdict(set)
    for contribution_id, topic_id in await db.execute(
        select(ContributionTopic.contribution_id, ContributionTopic.topic_id).where(
            ContributionTopic.contribution_id.in_(ids)
        )
    ):
        topics[contribution_id].add(topic_id)
    assert {t.id for t in consultation.topics} >= set().union(*topics.values())
    touched = {c.key_message_id for c in added}
    db.expire_all()
    after = {k: v for k, v in await db.execute(select(KeyMessage.id, KeyMessage.discussion_version))}
    assert all(after[k] > versions[k] for k in touched), "cached pages of every touched key message go stale"
