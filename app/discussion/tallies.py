"""Position tallies: how many of which kind of stakeholder take which position.

Tallies are public (pages and exports), so they count only what may be published: a
contribution not for publication is not counted, and one published anonymously counts
for its position under "undisclosed", never by its organisation's type or place."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Integer, String, Subquery, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.regions import m49_region
from app.discussion.models import Contribution
from app.discussion.position_counts import PositionCount, recounted
from app.organisations.models import Organisation, OrganisationType

INDIVIDUAL = "individual"  #: tally bucket for contributions made without an organisation
UNDISCLOSED = "undisclosed"  #: tally bucket for contributions published anonymously


@dataclass
class Tally:
    """Visible positions on one key message, overall and by stakeholder type."""

    by_position: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: By the organisation's country of registration (residence); individuals are not counted.
    by_country: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: By the UN M49 sub-region of the country of registration ("011": Western Africa).
    by_region: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: Diaspora organisations only, by each country of origin of the communities they
    #: represent: a Senegalese diaspora organisation in France counts for SN here, FR above.
    by_origin: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def total(self) -> int:
        return sum(self.by_position.values())


async def tallies(db: AsyncSession, key_message_ids: list[int]) -> dict[int, Tally]:
    """Count visible top-level positions per key message, one per speaker: hidden, withdrawn
    and superseded ones are not counted (app.discussion.supersession). One query over the
    counts the triggers keep (app.discussion.position_counts): its cost follows the kinds
    and places of organisations on the key message, not the number of contributions."""
    stored = (
        select(
            PositionCount.key_message_id,
            PositionCount.position,
            PositionCount.under_organisation,
            PositionCount.organisation_id,
            PositionCount.count,
        )
        .where(PositionCount.key_message_id.in_(key_message_ids), PositionCount.count > 0)
        .subquery()
    )
    return await _tallies_from(db, stored) if key_message_ids else defaultdict(Tally)


async def recount_tallies(db: AsyncSession, key_message_ids: list[int]) -> dict[int, Tally]:
    """The same tallies counted afresh from contributions: the oracle the stored counts
    are tested against. Its cost grows with the discussion; pages never use it."""
    return await _tallies_from(db, recounted(key_message_ids).subquery()) if key_message_ids else defaultdict(Tally)


async def _tallies_from(db: AsyncSession, counts: Subquery) -> dict[int, Tally]:
    """Tallies from rows in PositionCount's columns, summed in the database by what a tally
    shows of an organisation (type, country, a diaspora's origins): a page reads one row per
    kind and place, however many organisations share them."""
    origins = case(
        (Organisation.type == OrganisationType.DIASPORA, cast(Organisation.origin_countries, String)), else_=None
    )
    kind = (Organisation.type, Organisation.country, origins)
    keys = (counts.c.key_message_id, counts.c.position, counts.c.under_organisation, *kind)
    rows = await db.execute(
        select(*keys, func.sum(counts.c.count))
        .outerjoin(Organisation, Organisation.id == counts.c.organisation_id)
        .group_by(*keys)
    )
    result: dict[int, Tally] = defaultdict(Tally)
    for key_message_id, position, under_organisation, organisation_type, country, origins_json, count in rows:
        tally = result[key_message_id]
        tally.by_position[position] += count
        if not under_organisation:
            tally.by_type[UNDISCLOSED][position] += count
            continue
        tally.by_type[organisation_type.value if organisation_type else INDIVIDUAL][position] += count
        if country is None:
            continue
        tally.by_country[country][position] += count
        if (region := m49_region(country)) is not None:
            tally.by_region[region.area][position] += count
        for origin in json.loads(origins_json) if origins_json else ():
            tally.by_origin[origin][position] += count
    return result


async def origin_countries(db: AsyncSession, organisation_ids: set[int]) -> dict[int, list[str]]:
    """The countries of origin each of these (diaspora) organisations represents."""
    if not organisation_ids:
        return {}
    rows = await db.execute(
        select(Organisation.id, Organisation.origin_countries).where(Organisation.id.in_(organisation_ids))
    )
    return {organisation_id: list(codes or []) for organisation_id, codes in rows}


async def selected_tallies(
    db: AsyncSession, key_message_ids: list[int], conditions: Sequence[ColumnElement[bool]]
) -> dict[int, Tally]:
    """Tallies of the contributions that meet `conditions` (on Contribution and its
    Organisation, e.g. a negotiator's Selection): counted afresh, as recount_tallies, since
    the stored counts know no filter. Without conditions, the stored ones are the same."""
    if not conditions:
        return await tallies(db, key_message_ids)
    if not key_message_ids:
        return defaultdict(Tally)
    counted = (
        recounted(key_message_ids)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(*conditions)
        .subquery()
    )
    # COUNT is a bigint on PostgreSQL, and the SUM of bigints a numeric (a Decimal): counts
    # are integers, as the stored ones are.
    keys = [column for column in counted.c if column.key != "count"]
    integers = select(*keys, cast(counted.c["count"], Integer).label("count")).subquery()
    return await _tallies_from(db, integers)
