"""The deliberation side of the demo data: how each contribution may be published, whether
it was withdrawn or hidden, its topics, the wording an amendment proposes, and the
organisations that endorse it.

It is planned from its own generator (seeded from the demo seed), so adding it left the
thread shapes of earlier demo data unchanged. Demo contributions are born hidden or
withdrawn: there is no moderation log entry for them (the moderation package builds on this
one, not the other way round), which is fine for fake data."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.discussion.models import ContributionStatus, ContributionTopic, Endorsement, PublicationConsent
from app.discussion.publication import needs_organisation
from app.text.footnotes import strip_footnote_markers

K = TypeVar("K")

CONSENT_WEIGHTS = {
    PublicationConsent.NAMED: 80,
    PublicationConsent.ORGANISATION_ONLY: 9,
    PublicationConsent.ANONYMOUS: 8,
    PublicationConsent.NOT_FOR_PUBLICATION: 3,
}
STATUS_WEIGHTS = {ContributionStatus.VISIBLE: 96, ContributionStatus.WITHDRAWN: 2.5, ContributionStatus.HIDDEN: 1.5}
HIDDEN_REASONS = ("Off topic for this key message.", "Personal attack removed.", "Advertising.")
#: Endorsements of a position: most get none, a few gather many (a long tail).
ENDORSEMENT_WEIGHTS = {0: 62, 1: 14, 2: 8, 3: 6, 5: 4, 8: 3, 13: 2, 21: 1}
TOPICS_PER_POSITION = {0: 30, 1: 45, 2: 20, 3: 5}
REPLY_TOPIC_SHARE = 0.1
AMENDMENT_PHRASES = (
    "with the full participation of diaspora organisations",
    "including measurable targets and a timeline",
    "in line with international human rights standards",
    "with particular attention to women and children",
    "and with adequate funding for local authorities",
)


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass(frozen=True)
class Deliberation:
    """The extras of one planned contribution."""

    publication: PublicationConsent
    status: ContributionStatus
    moderation_reason: str | None
    amendment_text: str | None
    topics: tuple[int, ...]  #: topic ids
    endorsers: tuple[int, ...]  #: organisation ids


def plan_deliberation(
    rng: random.Random,
    *,
    positions: Sequence[str | None],
    speaks_for: Sequence[int | None],
    key_message_texts: Sequence[str],
    amendment_positions: Sequence[str],
    topic_ids: Sequence[int],
    organisation_ids: Sequence[int],
) -> list[Deliberation]:
    """One Deliberation per planned contribution (given by its position, the organisation
    its author speaks for, and its key message's text)."""
    return [
        _one(rng, position, organisation, text, amendment_positions, topic_ids, organisation_ids)
        for position, organisation, text in zip(positions, speaks_for, key_message_texts, strict=True)
    ]


def _one(
    rng: random.Random,
    position: str | None,
    organisation: int | None,
    text: str,
    amendment_positions: Sequence[str],
    topic_ids: Sequence[int],
    organisation_ids: Sequence[int],
) -> Deliberation:
    publication = _pick(rng, CONSENT_WEIGHTS)
    if needs_organisation(publication) and organisation is None:
        publication = PublicationConsent.NAMED
    status = _pick(rng, STATUS_WEIGHTS)
    if position is None:
        topics = rng.sample(list(topic_ids), 1) if topic_ids and rng.random() < REPLY_TOPIC_SHARE else []
        endorsements = 0 if rng.random() < 0.9 else rng.randint(1, 2)
    else:
        topics = rng.sample(list(topic_ids), min(_pick(rng, TOPICS_PER_POSITION), len(topic_ids)))
        endorsements = _pick(rng, ENDORSEMENT_WEIGHTS)
    others = [o for o in organisation_ids if o != organisation]
    return Deliberation(
        publication=publication,
        status=status,
        moderation_reason=rng.choice(HIDDEN_REASONS) if status is ContributionStatus.HIDDEN else None,
        amendment_text=_amended(rng, text) if position in amendment_positions else None,
        topics=tuple(topics),
        endorsers=tuple(rng.sample(others, min(endorsements, len(others)))),
    )


def _amended(rng: random.Random, text: str) -> str:
    """The key message with a few words replaced by, or followed with, a common ask."""
    words = strip_footnote_markers(text).rstrip(".").split()
    start = rng.randrange(max(len(words) - 3, 1))
    cut = rng.randint(0, 3)
    return " ".join([*words[:start], rng.choice(AMENDMENT_PHRASES), *words[start + cut :]]) + "."


def contribution_columns(item: Deliberation) -> dict[str, Any]:
    return {
        "publication": item.publication,
        "status": item.status,
        "moderation_reason": item.moderation_reason,
        "amendment_text": item.amendment_text,
        "endorsement_count": len(item.endorsers),
    }


async def save_tags_and_endorsements(
    db: AsyncSession,
    items: Sequence[Deliberation],
    contribution_ids: Sequence[int],
    created: Sequence[datetime],
    member_of: Mapping[int, Sequence[int]],
) -> tuple[int, int]:
    """Insert the topic tags and endorsements (each signed by a member of the organisation,
    some hours after the contribution); returns how many of each."""
    tags = [
        {"contribution_id": cid, "topic_id": topic}
        for cid, item in zip(contribution_ids, items, strict=True)
        for topic in item.topics
    ]
    endorsements = [
        {
            "contribution_id": cid,
            "organisation_id": organisation,
            "endorsed_by_id": member_of[organisation][cid % len(member_of[organisation])],
            "created_at": moment + timedelta(hours=1 + (cid * 7 + organisation) % 48),
        }
        for cid, item, moment in zip(contribution_ids, items, created, strict=True)
        for organisation in item.endorsers
    ]
    for model, rows in ((ContributionTopic, tags), (Endorsement, endorsements)):
        for start in range(0, len(rows), 1000):
            await db.execute(insert(model), rows[start : start + 1000])
    return len(tags), len(endorsements)


def members_by_organisation(
    people: Sequence[tuple[str, int | None]], user_ids: Sequence[int], org_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Organisation id -> user ids of its demo members (who sign endorsements)."""
    members: dict[int, list[int]] = defaultdict(list)
    for (_name, org), user_id in zip(people, user_ids, strict=True):
        if org is not None:
            members[org_ids[org]].append(user_id)
    return members
