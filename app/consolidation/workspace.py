"""What the negotiators' workspace shows of a selection, per roundtable and key message.

The overview reads aggregates only (a matrix query, a quotes query, an amendment count),
whatever the size of the discussion. Amendments are grouped there only once the selection
is down to one roundtable or one key message: grouping reads every selected amendment's
wording, which across a whole consultation is the bulk of it. A key message's own page
groups them all (key_message_detail)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.amendments import AmendmentGroup, amendment_counts, amendment_groups
from app.consolidation.matrix import Dimension, Matrix, position_matrices
from app.consolidation.passages import QuotedPassage, quoted_passages
from app.consolidation.selection import Selection
from app.consultation.models import Consultation, KeyMessage, Section

#: Amendment groups and passages shown per key message on the overview.
OVERVIEW_GROUPS = 3
OVERVIEW_PASSAGES = 3
#: Passages shown on a key message's own page.
DETAIL_PASSAGES = 20


@dataclass(frozen=True)
class KeyMessageSummary:
    message: KeyMessage
    matrix: Matrix
    passages: list[QuotedPassage]
    amendment_count: int
    #: The largest groups (all of them on the key message's page); None where not grouped.
    groups: list[AmendmentGroup] | None
    group_count: int | None


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    key_messages: list[KeyMessageSummary]


def groups_amendments_on_overview(selection: Selection) -> bool:
    return bool(selection.roundtable or selection.key_message)


async def overview(
    db: AsyncSession, consultation: Consultation, selection: Selection, dimension: Dimension
) -> list[SectionSummary]:
    matrices = await position_matrices(db, consultation, selection, dimension, trace=False)
    passages = await quoted_passages(db, consultation, selection, limit=OVERVIEW_PASSAGES, trace=False)
    counts = await amendment_counts(db, consultation, selection)
    groups = await amendment_groups(db, consultation, selection) if groups_amendments_on_overview(selection) else None
    selected = set(matrices)
    sections: list[SectionSummary] = []
    for section in consultation.sections:
        chosen = [m for m in section.key_messages if m.id in selected]
        if not chosen:
            continue
        summaries = [
            KeyMessageSummary(
                message=m,
                matrix=matrices[m.id],
                passages=passages[m.id],
                amendment_count=counts.get(m.id, 0),
                groups=groups[m.id][:OVERVIEW_GROUPS] if groups is not None else None,
                group_count=len(groups[m.id]) if groups is not None else None,
            )
            for m in chosen
        ]
        sections.append(SectionSummary(section, summaries))
    return sections


async def key_message_detail(
    db: AsyncSession, consultation: Consultation, selection: Selection, message: KeyMessage, dimension: Dimension
) -> KeyMessageSummary:
    """One key message in depth: every row, every amendment group, more passages."""
    one = replace(selection, roundtable=None, key_message=message.ref)
    matrix = (await position_matrices(db, consultation, one, dimension, trace=False))[message.id]
    passages = (await quoted_passages(db, consultation, one, limit=DETAIL_PASSAGES, trace=False))[message.id]
    groups = (await amendment_groups(db, consultation, one))[message.id]
    return KeyMessageSummary(
        message=message,
        matrix=matrix,
        passages=passages,
        amendment_count=sum(len(g.contribution_ids) for g in groups),
        groups=groups,
        group_count=len(groups),
    )
