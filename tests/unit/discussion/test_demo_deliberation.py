"""The demo data's deliberation: consent, statuses, topics, amendments and endorsements that
are consistent with the contributions they belong to."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.demo.generator import generate_demo_data
from app.discussion.models import (
    Contribution,
    ContributionStatus,
    ContributionTopic,
    Endorsement,
    PublicationConsent,
)


async def generate(db, count: int, **kwargs) -> list[Contribution]:
    before = await db.scalar(select(func.coalesce(func.max(Contribution.id), 0)))
    await generate_demo_data(
        db, contributions=count, key_message_ref="RT2-KM3", consultation_slug=None, random_seed=5, **kwargs
    )
    query = select(Contribution).where(Contribution.id > before).order_by(Contribution.id)
    return list((await db.scalars(query)).all())


async def test_a_reply_share_sets_how_many_are_replies(db, consultation):
    added = await generate(db, 400, reply_share=0.7)
    replies = sum(1 for c in added if c.parent_id is not None)
    assert 0.6 < replies / len(added) < 0.8
    assert max(c.depth for c in added) >= 6


async def test_consent_and_status_vary_and_stay_consistent(db, consultation):
    added = await generate(db, 600)
    consent = Counter(c.publication for c in added)
    assert set(consent) == set(PublicationConsent) and consent[PublicationConsent.NAMED] > len(added) / 2
    assert all(c.organisation_id is not None for c in added if c.publication is PublicationConsent.ORGANISATION_ONLY)
    statuses = Counter(c.status for c in added)
    assert statuses[ContributionStatus.HIDDEN] and statuses[ContributionStatus.WITHDRAWN]
    assert all(c.moderation_reason for c in added if c.status is ContributionStatus.HIDDEN)


async def test_amendments_topics_and_endorsements_belong_to_their_contributions(db, consultation):
    added = await generate(db, 600)
    amending = [c for c in added if c.position in consultation.amendment_positions]
    assert amending and all(c.amendment_text for c in amending)
    assert all(c.amendment_text is None for c in added if c.position not in consultation.amendment_positions)
    ids = [c.id for c in added]
    tagged = set(
        await db.scalars(select(ContributionTopic.contribution_id).where(ContributionTopic.contribution_id.in_(ids)))
    )
    assert len(tagged) > len(added) / 4
    endorsements = (await db.scalars(select(Endorsement).where(Endorsement.contribution_id.in_(ids)))).all()
    counts = Counter(e.contribution_id for e in endorsements)
    assert all(c.endorsement_count == counts.get(c.id, 0) for c in added)
    by_id = {c.id: c for c in added}
    assert all(e.organisation_id != by_id[e.contribution_id].organisation_id for e in endorsements)
    assert all(
        e.endorsed_by_id is not None and e.created_at > by_id[e.contribution_id].created_at for e in endorsements
    )
    assert max(counts.values()) >= 5
