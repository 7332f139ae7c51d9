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
from datetime import datetime, timedelta
from typing import NamedTuple, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Base
from app.demo.bulk import insert_rows
from app.demo.threads import Picker
from app.discussion.models import ContributionStatus, ContributionTopic, Endorsement, PublicationConsent
from app.discussion.publication import needs_organisation
from app.text.footnotes import strip_footnote_markers

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
LATER = [timedelta(hours=1 + hours) for hours in range(48)]  #: how long after a contribution it is endorsed
REPLY_TOPIC_SHARE = 0.1
AMENDMENT_PHRASES = (
    "with the full participation of diaspora organisations",
    "including measurable targets and a timeline",
    "in line with international human rights standards",
    "with particular attention to women and children",
    "and with adequate funding for local authorities",
)


class Deliberation(NamedTuple):
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
    draw = _Draws(amendment_positions, topic_ids, organisation_ids)
    return [
        draw(rng, position, organisation, text)
        for position, organisation, text in zip(positions, speaks_for, key_message_texts, strict=True)
    ]


class _Draws:
    """The weights as cumulative pickers and each key message's words, prepared once: a
    million contributions draw from them."""

    def __init__(
        self, amendment_positions: Sequence[str], topic_ids: Sequence[int], organisation_ids: Sequence[int]
    ) -> None:
        self.consent, self.status = Picker.of(CONSENT_WEIGHTS), Picker.of(STATUS_WEIGHTS)
        self.topic_count, self.endorsements = Picker.of(TOPICS_PER_POSITION), Picker.of(ENDORSEMENT_WEIGHTS)
        self.amending = frozenset(amendment_positions)
        self.topic_ids, self.organisation_ids = list(topic_ids), list(organisation_ids)
        self.words: dict[str, list[str]] = {}

    def __call__(self, rng: random.Random, position: str | None, organisation: int | None, text: str) -> Deliberation:
        publication = self.consent(rng)
        if organisation is None and needs_organisation(publication):
            publication = PublicationConsent.NAMED
        status = self.status(rng)
        topics, endorsements = self._topics_and_endorsements(rng, position)
        return Deliberation(
            publication=publication,
            status=status,
            moderation_reason=rng.choice(HIDDEN_REASONS) if status is ContributionStatus.HIDDEN else None,
            amendment_text=self._amended(rng, text) if position in self.amending else None,
            topics=topics,
            endorsers=self._endorsers(rng, endorsements, organisation),
        )

    def _topics_and_endorsements(self, rng: random.Random, position: str | None) -> tuple[tuple[int, ...], int]:
        if position is None:
            tagged = self.topic_ids and rng.random() < REPLY_TOPIC_SHARE
            topics = (rng.choice(self.topic_ids),) if tagged else ()
            return topics, 0 if rng.random() < 0.9 else rng.randint(1, 2)
        count = min(self.topic_count(rng), len(self.topic_ids))
        # A sample of none draws nothing: skipping it keeps the stream, and a third of the time.
        return (tuple(rng.sample(self.topic_ids, count)) if count else ()), self.endorsements(rng)

    def _endorsers(self, rng: random.Random, count: int, organisation: int | None) -> tuple[int, ...]:
        """`count` other organisations (fewer if there are not as many): one more is drawn
        in case the author's own is among them, which is cheaper than copying the list."""
        if count == 0:
            return ()
        drawn = rng.sample(self.organisation_ids, min(count + 1, len(self.organisation_ids)))
        return tuple([o for o in drawn if o != organisation][:count])

    def _amended(self, rng: random.Random, text: str) -> str:
        """The key message with a few words replaced by, or followed with, a common ask."""
        if (words := self.words.get(text)) is None:
            words = self.words[text] = strip_footnote_markers(text).rstrip(".").split()
        start = rng.randrange(max(len(words) - 3, 1))
        cut = rng.randint(0, 3)
        return " ".join([*words[:start], rng.choice(AMENDMENT_PHRASES), *words[start + cut :]]) + "."


async def save_tags_and_endorsements(
    db: AsyncSession,
    items: Sequence[Deliberation],
    contribution_ids: Sequence[int],
    created: Sequence[datetime],
    member_of: Mapping[int, Sequence[int]],
) -> tuple[int, int]:
    """Insert the topic tags and endorsements (each signed by a member of the organisation,
    some hours after the contribution); returns how many of each."""
    # Generators: made as they are sent, while the database inserts the ones before.
    tags = ((cid, topic) for cid, item in zip(contribution_ids, items, strict=True) for topic in item.topics)
    tagged = await insert_rows(db, _table(ContributionTopic), ("contribution_id", "topic_id"), tags, keys_at_once=True)
    endorsements = (
        (
            cid,
            organisation,
            member_of[organisation][cid % len(member_of[organisation])],
            moment + LATER[(cid * 7 + organisation) % len(LATER)],
        )
        for cid, item, moment in zip(contribution_ids, items, created, strict=True)
        for organisation in item.endorsers
    )
    columns = ("contribution_id", "organisation_id", "endorsed_by_id", "created_at")
    endorsed = await insert_rows(db, _table(Endorsement), columns, endorsements, keys_at_once=True)
    return tagged, endorsed


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def members_by_organisation(
    people: Sequence[tuple[str, int | None]], user_ids: Sequence[int], org_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Organisation id -> user ids of its demo members (who sign endorsements)."""
    members: dict[int, list[int]] = defaultdict(list)
    for (_name, org), user_id in zip(people, user_ids, strict=True):
        if org is not None:
            members[org_ids[org]].append(user_id)
    return members
