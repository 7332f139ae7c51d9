"""Position tallies: how many of which kind of stakeholder take which position."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Organisation
from app.discussion.models import Contribution, ContributionStatus

INDIVIDUAL = "individual"  #: tally bucket for contributions made without an organisation


@dataclass
class Tally:
    """Visible positions on one key message, overall and by stakeholder type."""

    by_position: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def total(self) -> int:
        return sum(self.by_position.values())


async def tallies(db: AsyncSession, key_message_ids: list[int]) -> dict[int, Tally]:
    """Count visible top-level positions per key message; hidden ones are not counted."""
    result: dict[int, Tally] = defaultdict(Tally)
    if not key_message_ids:
        return result
    rows = await db.execute(
        select(Contribution.key_message_id, Contribution.position, Organisation.type, func.count())
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(
            Contribution.key_message_id.in_(key_message_ids),
            Contribution.parent_id.is_(None),
            Contribution.status == ContributionStatus.VISIBLE,
        )
        .group_by(Contribution.key_message_id, Contribution.position, Organisation.type)
    )
    for key_message_id, position, organisation_type, count in rows:
        tally = result[key_message_id]
        position = str(position)  # never NULL on top-level contributions (a check constraint)
        tally.by_position[position] += count
        tally.by_type[organisation_type.value if organisation_type else INDIVIDUAL][position] += count
    return result
