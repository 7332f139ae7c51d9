"""The passages of each key message its contributions quote most (app.discussion.quotes).

Counted as the key message page highlights them for the public: visible contributions,
positions and replies, listed for the public, whose quoted ranges overlap are one passage.
The selection's filters apply (with its positions, replies drop out: they take none).
Quotes are counted in one aggregate query, grouped by range; only the contributions quoting
the passages kept are read, and only their ids."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.matrix import UNDER_ORGANISATION, filters_by_speaker
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC, listed_for
from app.discussion.quotes import QuotedPassage as Range
from app.discussion.quotes import merged, quoting
from app.organisations.models import Organisation
from app.text.footnotes import strip_footnote_markers

#: Passages kept per key message, most quoted first.
LIMIT = 5


@dataclass(frozen=True)
class QuotedPassage:
    text: str  #: the passage, from the key message text without footnote markers
    start: int | None  #: where it starts in that text
    count: int  #: contributions quoting any part of it
    contribution_ids: tuple[int, ...]  #: those contributions, in id order


def _quoting(selection: Selection, key_message_ids: list[int]) -> list[ColumnElement[bool]]:
    conditions = [
        Contribution.key_message_id.in_(key_message_ids),
        Contribution.quote_start.is_not(None),
        Contribution.status == ContributionStatus.VISIBLE,
        listed_for(PUBLIC),
        *selection.conditions(),
    ]
    if filters_by_speaker(selection):
        conditions.append(Contribution.publication.in_(UNDER_ORGANISATION))
    return conditions


async def quoted_passages(
    db: AsyncSession, consultation: Consultation, selection: Selection, *, limit: int = LIMIT, trace: bool = True
) -> dict[int, list[QuotedPassage]]:
    """By key message id, every key message of the selection: its `limit` most quoted
    passages, most quoted first, then in text order; `trace` reads the ids of the
    contributions quoting them (else contribution_ids is empty)."""
    messages = selection.key_messages(consultation)
    ids = [m.id for m in messages]
    ranges: dict[int, list[Range]] = defaultdict(list)
    if ids:
        length = func.length(Contribution.quote_text)
        keys = (Contribution.key_message_id, Contribution.quote_start, length)
        rows = await db.execute(
            select(*keys, func.count())
            .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
            .where(*_quoting(selection, ids))
            .group_by(*keys)
        )
        for key_message_id, start, size, count in rows:
            ranges[key_message_id].append(Range(start, start + size, count))
    top = {i: sorted(merged(ranges[i]), key=lambda r: (-r.count, r.start))[:limit] for i in ids}
    quoting_ids = await _quoting_ids(db, selection, top) if trace else defaultdict(list)
    return {
        m.id: [
            QuotedPassage(
                text=strip_footnote_markers(m.text)[passage.start : passage.end],
                start=passage.start,
                count=passage.count,
                contribution_ids=tuple(quoting_ids[(m.id, passage.start)]),
            )
            for passage in top[m.id]
        ]
        for m in messages
    }


async def _quoting_ids(
    db: AsyncSession, selection: Selection, top: dict[int, list[Range]]
) -> dict[tuple[int, int], list[int]]:
    """By (key message id, passage start): the ids of the contributions quoting it."""
    either = [
        and_(Contribution.key_message_id == key_message_id, quoting(r.start, r.end))
        for key_message_id, passages in top.items()
        for r in passages
    ]
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not either:
        return found
    rows = await db.execute(
        select(Contribution.key_message_id, Contribution.id, Contribution.quote_start)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(*_quoting(selection, list(top)), or_(*either))
        .order_by(Contribution.id)
    )
    for key_message_id, contribution_id, start in rows:
        # Passages kept do not overlap: the one a quote starts in or before is its own.
        passage = next(
            r
            for r in sorted(top[key_message_id], key=lambda r: r.start, reverse=True)
            if start is not None and r.start <= start
        )
        found[(key_message_id, passage.start)].append(contribution_id)
    return found
