"""Position tallies: how many of which kind of stakeholder take which position.

Tallies are public (pages and exports), so they count only what may be published: a
contribution not for publication is not counted, and one published anonymously counts
for its position under "undisclosed", never by its organisation's type or place."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.regions import m49_region
from app.discussion.models import Contribution
from app.discussion.publication import PUBLIC, counts_under_organisation, listed_for
from app.discussion.supersession import counted
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
    and superseded ones are not counted (app.discussion.supersession).
    Two queries: counts grouped by organisation, then the origins of the diaspora ones."""
    result: dict[int, Tally] = defaultdict(Tally)
    if not key_message_ids:
        return result
    # One row per key message, position, consent and organisation, counted.
    keys = (
        Contribution.key_message_id,
        Contribution.position,
        Contribution.publication,
        Organisation.id,
        Organisation.type,
        Organisation.country,
    )
    rows = await db.execute(
        select(*keys, func.count())
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(
            Contribution.key_message_id.in_(key_message_ids),
            Contribution.parent_id.is_(None),
            counted(),
            listed_for(PUBLIC),
        )
        .group_by(*keys)
    )
    grouped = rows.all()
    diaspora = {org_id for _km, _p, anonymous, org_id, kind, _c, _n in grouped if kind is OrganisationType.DIASPORA}
    origins = await origin_countries(db, diaspora)
    for key_message_id, position, consent, organisation_id, organisation_type, country, count in grouped:
        tally = result[key_message_id]
        position = str(position)  # never NULL on top-level contributions (a check constraint)
        tally.by_position[position] += count
        if not counts_under_organisation(consent):
            tally.by_type[UNDISCLOSED][position] += count
            continue
        tally.by_type[organisation_type.value if organisation_type else INDIVIDUAL][position] += count
        if country is None:
            continue
        tally.by_country[country][position] += count
        if (region := m49_region(country)) is not None:
            tally.by_region[region.area][position] += count
        for origin in origins.get(organisation_id, []):
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
