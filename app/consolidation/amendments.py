"""Proposed wordings grouped: identical and near-identical amendments to a key message merged,
with who proposed them (sponsors) and who co-signed them (endorsers), each counted once.

The amendments read are those the public may read and that count (app.discussion.amendments):
current, visible, top-level positions that propose a wording, listed for the public. A
position published anonymously names no organisation here: it counts as one sponsor, like
a person speaking for themselves. Where the selection filters by who spoke, anonymous ones
are left out (app.consolidation.matrix says why).

Grouping is pure CPU work that grows with the amendments, so it runs in a worker thread."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from anyio import to_thread
from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.matrix import UNDER_ORGANISATION, counted_positions
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.models import Contribution, Endorsement
from app.organisations.models import Organisation

#: rapidfuzz ratio (0-100) from which two normalised wordings are one proposal: a typo, a
#: changed article or comma. Higher than campaigns' (85): wordings are short, and two
#: proposals that differ by a word may say different things.
SIMILARITY = 90.0
#: Ids per IN (…) of endorsers: well under SQLite's limit of bound parameters.
CHUNK = 500

_PUNCTUATION_OR_SPACE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class AmendmentItem:
    contribution_id: int
    key_message_id: int
    text: str
    #: The organisation it was proposed for, when its byline names one.
    organisation_id: int | None
    organisation_name: str | None
    organisation_type: str | None
    endorser_organisation_ids: tuple[int, ...]
    endorser_names: tuple[str, ...]


@dataclass(frozen=True)
class AmendmentGroup:
    wording: str  #: the representative wording (the earliest)
    contribution_ids: tuple[int, ...]  #: every amendment in the group, in id order
    variants: tuple[tuple[int, str], ...]  #: other wordings merged in: (earliest id, wording)
    #: Organisations that proposed it, de-duplicated, in the order they first did.
    sponsors: tuple[str, ...]
    #: Distinct organisations plus each amendment with no organisation named (a person, or
    #: published anonymously), which counts as one sponsor.
    sponsor_count: int
    endorsers: tuple[str, ...]  #: organisations that co-signed, de-duplicated, minus sponsors
    endorser_count: int


def normalised_wording(text: str) -> str:
    """What two copies of a wording share after capitals, spacing, punctuation and Unicode
    forms (NFKC: full-width letters, ligatures, non-breaking spaces) are set aside."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCTUATION_OR_SPACE.sub(" ", folded).split())


def group_amendments(items: Sequence[AmendmentItem], *, similarity: float = SIMILARITY) -> list[AmendmentGroup]:
    """Identical wordings (normalised) merged, then each distinct wording, earliest first,
    joins the group whose representative it is nearest to at `similarity` or more, else
    starts one: every variant is near its representative (no chains of small changes
    drifting apart). Largest groups first, then the earliest."""
    by_wording: dict[str, list[AmendmentItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.contribution_id):
        by_wording[normalised_wording(item.text)].append(item)
    representatives = _Representatives(len(by_wording), similarity)
    members: list[list[str]] = []
    for wording in by_wording:  # in order of each wording's earliest amendment
        nearest = representatives.nearest(wording)
        if nearest is None:
            representatives.add(wording)
            members.append([wording])
        else:
            members[nearest].append(wording)
    groups = [_group([by_wording[w] for w in wordings]) for wordings in members]
    return sorted(groups, key=lambda g: (-len(g.contribution_ids), g.contribution_ids[0]))


class _Representatives:
    """The groups' representative wordings, and which one a wording is nearest to.

    rapidfuzz's ratio is 100 × (1 − indel / total length), and an insertion or deletion
    changes one character's count by one, so two texts whose character counts differ by
    more than the indel distance allowed cannot be near: that bound, computed for all the
    representatives at once in numpy, leaves few to compare by ratio. Without it, 2,000
    distinct wordings of one key message took some 6 s (each compared with all before it)."""

    def __init__(self, capacity: int, similarity: float) -> None:
        self.similarity = similarity
        self.wordings: list[str] = []
        self.counts = np.zeros((max(capacity, 1), _BUCKETS), dtype=np.int16)
        self.work = np.zeros_like(self.counts)
        self.lengths = np.zeros(max(capacity, 1), dtype=np.int32)

    def nearest(self, wording: str) -> int | None:
        """The index of the representative nearest to `wording` at `similarity` or more (the
        earliest among equals), or None."""
        size = len(self.wordings)
        if not size:
            return None
        allowed = (1 - self.similarity / 100) * (self.lengths[:size] + len(wording))
        # In place, in 16 bits (wordings are at most 5,000 characters): the work is memory.
        work = self.work[:size]
        np.subtract(self.counts[:size], _character_counts(wording), out=work)
        np.abs(work, out=work)
        apart = work.sum(axis=1, dtype=np.int32)
        best, best_score = None, -1.0
        for index in np.flatnonzero(apart <= allowed):
            score = fuzz.ratio(wording, self.wordings[index], score_cutoff=self.similarity)
            if score > best_score and score >= self.similarity:
                best, best_score = int(index), score
        return best

    def add(self, wording: str) -> None:
        self.counts[len(self.wordings)] = _character_counts(wording)
        self.lengths[len(self.wordings)] = len(wording)
        self.wordings.append(wording)


#: Characters are counted in this many buckets (by code point): sharing a bucket only makes
#: the bound looser, never wrong.
_BUCKETS = 32


def _character_counts(text: str) -> np.ndarray:
    counts = np.bincount(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) % _BUCKETS, minlength=_BUCKETS)
    return counts.astype(np.int16)


def _group(wordings: list[list[AmendmentItem]]) -> AmendmentGroup:
    """A group from its wordings' amendments, the representative's first."""
    amendments = sorted((item for same in wordings for item in same), key=lambda i: i.contribution_id)
    sponsors: dict[int, str] = {}
    unnamed = 0
    for item in amendments:
        if item.organisation_id is None or item.organisation_name is None:
            unnamed += 1
        else:
            sponsors.setdefault(item.organisation_id, item.organisation_name)
    endorsers: dict[int, str] = {}
    for item in amendments:
        for organisation_id, name in zip(item.endorser_organisation_ids, item.endorser_names, strict=True):
            if organisation_id not in sponsors:
                endorsers.setdefault(organisation_id, name)
    return AmendmentGroup(
        wording=wordings[0][0].text,
        contribution_ids=tuple(item.contribution_id for item in amendments),
        variants=tuple((same[0].contribution_id, same[0].text) for same in wordings[1:]),
        sponsors=tuple(sponsors.values()),
        sponsor_count=len(sponsors) + unnamed,
        endorsers=tuple(endorsers.values()),
        endorser_count=len(endorsers),
    )


def _amending(consultation: Consultation, selection: Selection, key_message_ids: list[int]) -> list[Any]:
    """SQL conditions on Contribution and Organisation (joined outer): the selection's
    counted public amendments."""
    return [
        *counted_positions(selection, key_message_ids),
        Contribution.position.in_(list(consultation.amendment_positions)),
        Contribution.amendment_text.is_not(None),
        # Implied by counted_positions, spelled out so the planner may use the partial index of
        # current amendments (app.discussion.models.AMENDING), which holds only these rows.
        Contribution.superseded_by_id.is_(None),
    ]


async def amendment_counts(db: AsyncSession, consultation: Consultation, selection: Selection) -> dict[int, int]:
    """By key message id: how many amendments group_amendments would group (one count query)."""
    ids = [m.id for m in selection.key_messages(consultation)]
    if not ids or not consultation.amendment_positions:
        return {}
    rows = await db.execute(
        select(Contribution.key_message_id, func.count())
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(*_amending(consultation, selection, ids))
        .group_by(Contribution.key_message_id)
    )
    return {key_message_id: count for key_message_id, count in rows}


async def amendment_items(db: AsyncSession, consultation: Consultation, selection: Selection) -> list[AmendmentItem]:
    """The selection's counted amendments, in id order, with their endorsers."""
    ids = [m.id for m in selection.key_messages(consultation)]
    if not ids or not consultation.amendment_positions:
        return []
    named = Contribution.publication.in_(UNDER_ORGANISATION)
    rows = (
        await db.execute(
            select(
                Contribution.id,
                Contribution.key_message_id,
                Contribution.amendment_text,
                named,
                Organisation.id,
                Organisation.name,
                Organisation.type,
            )
            .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
            .where(*_amending(consultation, selection, ids))
            .order_by(Contribution.id)
        )
    ).all()
    endorsers = await _endorsers(db, [row[0] for row in rows])
    items = []
    for contribution_id, key_message_id, text, shows_organisation, organisation_id, name, kind in rows:
        signed = endorsers.get(contribution_id, [])
        shown = bool(shows_organisation) and organisation_id is not None
        items.append(
            AmendmentItem(
                contribution_id=contribution_id,
                key_message_id=key_message_id,
                text=text or "",
                organisation_id=organisation_id if shown else None,
                organisation_name=name if shown else None,
                organisation_type=kind.value if shown else None,
                endorser_organisation_ids=tuple(i for i, _ in signed),
                endorser_names=tuple(n for _, n in signed),
            )
        )
    return items


async def _endorsers(db: AsyncSession, contribution_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for start in range(0, len(contribution_ids), CHUNK):
        rows = await db.execute(
            select(Endorsement.contribution_id, Organisation.id, Organisation.name)
            .join(Organisation, Organisation.id == Endorsement.organisation_id)
            .where(Endorsement.contribution_id.in_(contribution_ids[start : start + CHUNK]))
            .order_by(Endorsement.contribution_id, Endorsement.id)
        )
        for contribution_id, organisation_id, name in rows:
            found[contribution_id].append((organisation_id, name))
    return found


async def amendment_groups(
    db: AsyncSession, consultation: Consultation, selection: Selection, *, similarity: float = SIMILARITY
) -> dict[int, list[AmendmentGroup]]:
    """By key message id, every key message of the selection: its amendments grouped."""
    items = await amendment_items(db, consultation, selection)
    by_message: dict[int, list[AmendmentItem]] = defaultdict(list)
    for item in items:
        by_message[item.key_message_id].append(item)

    ids = [m.id for m in selection.key_messages(consultation)]

    def grouped() -> dict[int, list[AmendmentGroup]]:
        return {i: group_amendments(by_message.get(i, []), similarity=similarity) for i in ids}

    return await to_thread.run_sync(grouped)
