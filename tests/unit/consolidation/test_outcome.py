"""What we heard: only for a published, closed consultation that allows it; only what the
public may read, with the byline the public sees; reasons never part of it."""

from __future__ import annotations

from datetime import timedelta

from app.consolidation.outcome import heard_contributions, public_among, publishes_outcome, reflected_counts
from app.consolidation.reviews import set_review_state
from app.consultation.models import ConsultationStatus
from app.db import utcnow
from app.discussion.models import ContributionStatus
from app.security.roles import Role
from tests.factories import key_message, make_organisation, make_position, make_user


def test_the_page_exists_only_once_closed_published_and_allowed(consultation):
    consultation.publishes_outcome = True
    assert not publishes_outcome(consultation)  # open
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    assert publishes_outcome(consultation)
    consultation.publishes_outcome = False
    assert not publishes_outcome(consultation)
    consultation.publishes_outcome = True
    consultation.status = ConsultationStatus.DRAFT
    assert not publishes_outcome(consultation)
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.opens_at, consultation.closes_at = utcnow() + timedelta(days=1), utcnow() + timedelta(days=2)
    assert not publishes_outcome(consultation)  # upcoming


async def test_only_public_visible_contributions_with_their_public_byline(db, consultation):
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    organisation = await make_organisation(db, name="Hidden Hand Network")
    named = await make_position(db, consultation, author=await make_user(db, name="Nora Named"))
    anonymous = await make_position(
        db,
        consultation,
        author=await make_user(db, organisation=organisation, name="Ava Anon"),
        publication="anonymous",
    )
    unpublished = await make_position(db, consultation, author=await make_user(db), publication="not_for_publication")
    hidden = await make_position(db, consultation, author=await make_user(db))
    hidden.status = ContributionStatus.HIDDEN
    for contribution, state, reason in (
        (named, "reflected", ""),
        (anonymous, "not_reflected", "Internal reason."),
        (unpublished, "reflected", ""),
        (hidden, "partly_reflected", ""),
    ):
        await set_review_state(db, negotiator=negotiator, contribution=contribution, state=state, reason=reason)
    await db.flush()
    message_id = key_message(consultation, "RT2-KM3").id
    page = await heard_contributions(db, message_id, after=None, page_size=10)
    shown = {item.contribution.id: item for item in page.items}
    assert set(shown) == {named.id, anonymous.id} and page.next_cursor is None
    assert shown[named.id].state == "reflected" and shown[anonymous.id].state == "not_reflected"
    assert shown[anonymous.id].contribution.author is None and shown[anonymous.id].contribution.organisation is None
    assert await reflected_counts(db, message_id) == {"reflected": 1, "partly_reflected": 0, "not_reflected": 1}
    assert await public_among(db, message_id, [named.id, unpublished.id, hidden.id]) == [named.id]
    assert await public_among(db, message_id, []) == []


async def test_the_list_is_paged(db, consultation):
    made = [await make_position(db, consultation, author=await make_user(db)) for _ in range(3)]
    message_id = key_message(consultation, "RT2-KM3").id
    first = await heard_contributions(db, message_id, after=None, page_size=2)
    assert [i.contribution.id for i in first.items] == [made[0].id, made[1].id] and first.next_cursor == made[1].id
    second = await heard_contributions(db, message_id, after=first.next_cursor, page_size=2)
    assert [i.contribution.id for i in second.items] == [made[2].id] and second.next_cursor is None
    assert all(item.state == "undecided" for item in first.items + second.items)
