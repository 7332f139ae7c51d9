"""Position matrices: how many of which kind of stakeholder take which position on each key
message of a negotiator's selection, by stakeholder type or by place.

A matrix counts exactly what the public tallies count (app.discussion.tallies): current,
visible, top-level positions listed for the public; one published anonymously counts under
UNDISCLOSED, never by its organisation's type or place. Counting campaigns once
(app.discussion.campaigns), a campaign's members taking one position on one key message
count as one: its earliest member in the selection, in that member's row.

Where the selection filters by who spoke (stakeholder type, region, verification), positions
published anonymously are left out altogether: counting them in a filtered matrix would tell
what their byline withholds ("the one anonymous position here is from a ministry").

Counts are summed in the database, grouped by what the matrix's rows show (an organisation's
type, its country, a diaspora's origins): the rows read grow with the kinds or places of
organisations on a key message, not with its contributions or its organisations."""

from __future__ import annotations

import enum
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.labels import country_name
from app.accounts.regions import m49_region
from app.consolidation.selection import INDIVIDUAL, Selection
from app.consultation.models import Consultation
from app.discussion.labels import stakeholder_label
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import PUBLIC, counts_under_organisation, is_listed_for, listed_for
from app.discussion.tallies import UNDISCLOSED
from app.i18n import _
from app.organisations.labels import m49_name
from app.organisations.models import Organisation, OrganisationType


class Dimension(enum.Enum):
    """What the rows of a matrix are."""

    STAKEHOLDER_TYPE = "type"  #: the organisation's type, INDIVIDUAL or UNDISCLOSED
    REGION = "region"  #: the UN M49 sub-region of the organisation's country of registration
    COUNTRY = "country"  #: the organisation's country of registration
    ORIGIN = "origin"  #: each country of origin of a diaspora organisation's communities


#: Rows that are not a type or a place, shown after those that are.
SPECIAL_ROWS = (INDIVIDUAL, UNDISCLOSED)
#: Consents under which a public position counts by its organisation (not anonymous).
UNDER_ORGANISATION = tuple(c for c in PublicationConsent if is_listed_for(c, PUBLIC) and counts_under_organisation(c))


@dataclass(frozen=True)
class MatrixRow:
    key: str  #: a type value, an M49 area code, a country code, INDIVIDUAL or UNDISCLOSED
    counts: dict[str, int]  #: by position word, every position of the matrix
    total: int


@dataclass(frozen=True)
class Matrix:
    """One key message's counted positions by `dimension`.

    `totals` and `total` count each position once. Rows add up to them but for ORIGIN, whose
    rows are diaspora organisations only, one organisation of several origins in each."""

    dimension: Dimension
    positions: tuple[str, ...]
    rows: list[MatrixRow]
    totals: dict[str, int]
    total: int
    #: The counted positions (campaigns once: the member that counts), in id order, so every
    #: figure can be traced; empty when asked for without (`trace=False`).
    contribution_ids: tuple[int, ...]


def counted_here() -> ColumnElement[bool]:
    """app.discussion.supersession.counted, written so that PostgreSQL reads a key message's
    positions through the key message's index: given `superseded_by_id IS NULL`, it ANDs in
    its index of superseded_by_id, reading every current position of the site on each query
    (tests/unit/consolidation/test_workspace_plans.py). test_matrix holds the two equal."""
    return and_(func.coalesce(Contribution.superseded_by_id, 0) == 0, Contribution.status == ContributionStatus.VISIBLE)


def filters_by_speaker(selection: Selection) -> bool:
    return bool(selection.stakeholder_types or selection.regions or selection.verified_only)


def counted_positions(selection: Selection, key_message_ids: Sequence[int]) -> Any:
    """SQL conditions on Contribution and Organisation (joined outer on the contribution's
    organisation): the selection's positions the public tallies count."""
    under = Contribution.publication.in_(UNDER_ORGANISATION)
    conditions: list[ColumnElement[bool]] = [
        Contribution.key_message_id.in_(list(key_message_ids)),
        Contribution.parent_id.is_(None),
        counted_here(),
        listed_for(PUBLIC),
        *selection.conditions(),
    ]
    if filters_by_speaker(selection):
        conditions.append(under)
    return conditions


def _campaign_firsts(selection: Selection, key_message_ids: Sequence[int]) -> Select[Any]:
    """The earliest counted member of each campaign per key message and position, within the
    selection: the one that counts for them all."""
    return (
        select(func.min(Contribution.id))
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(*counted_positions(selection, key_message_ids), Contribution.campaign_id.is_not(None))
        .group_by(Contribution.key_message_id, Contribution.campaign_id, Contribution.position)
    )


def _counted_rows(selection: Selection, key_message_ids: Sequence[int], campaigns_once: bool) -> Any:
    """The counted positions with what a row shows of their organisation. Campaign members
    are few, so counting them once is a look-up of their first ones, not a sort of all."""
    under = Contribution.publication.in_(UNDER_ORGANISATION)
    origins = case((Organisation.type == OrganisationType.DIASPORA, cast(Organisation.origin_countries, String)))
    conditions = counted_positions(selection, key_message_ids)
    if campaigns_once:
        conditions.append(
            or_(Contribution.campaign_id.is_(None), Contribution.id.in_(_campaign_firsts(selection, key_message_ids)))
        )
    return (
        select(
            Contribution.id.label("id"),
            Contribution.key_message_id.label("key_message_id"),
            Contribution.position.label("position"),
            under.label("under"),
            # Nothing of the organisation of an anonymous position reaches a row.
            and_(under, Organisation.id.is_not(None)).label("organised"),
            case((under, Organisation.type)).label("type"),
            case((under, Organisation.country)).label("country"),
            case((under, origins)).label("origins"),
        )
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(*conditions)
        .subquery("counted_positions")
    )


#: The column of the counted rows each dimension's rows are made from.
_ROW_COLUMN = {
    Dimension.STAKEHOLDER_TYPE: "type",
    Dimension.REGION: "country",
    Dimension.COUNTRY: "country",
    Dimension.ORIGIN: "origins",
}


def _aggregate(rows: Any, dimension: Dimension) -> Select[Any]:
    """Counts grouped by what the dimension shows only: one row per type or place, however
    many organisations share it."""
    keys = (rows.c.key_message_id, rows.c.position, rows.c.under, rows.c.organised, rows.c[_ROW_COLUMN[dimension]])
    return select(*keys, func.count()).group_by(*keys)


def _row_keys(dimension: Dimension, under: bool, organised: bool, value: Any) -> list[str]:
    """The rows one group of positions counts in."""
    if not under:
        return [UNDISCLOSED]
    if not organised:
        return [INDIVIDUAL]
    if dimension is Dimension.STAKEHOLDER_TYPE:
        return [OrganisationType(value).value]
    if dimension is Dimension.COUNTRY:
        return [value]
    if dimension is Dimension.REGION:
        region = m49_region(value)
        return [region.area] if region else []
    return sorted(set(json.loads(value))) if value else []


async def position_matrices(
    db: AsyncSession,
    consultation: Consultation,
    selection: Selection,
    dimension: Dimension,
    *,
    campaigns_once: bool = True,
    trace: bool = True,
) -> dict[int, Matrix]:
    """A matrix per key message of the selection (by id), one aggregate query for them all;
    `trace` adds the counted contributions' ids (a second query, of ids only)."""
    messages = selection.key_messages(consultation)
    ids = [m.id for m in messages]
    positions = tuple(p for p in consultation.positions if not selection.positions or p in selection.positions)
    cells: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    traced: dict[int, list[int]] = defaultdict(list)
    if ids:
        counted_rows = _counted_rows(selection, ids, campaigns_once)
        groups = await db.execute(_aggregate(counted_rows, dimension))
        for key_message_id, position, under, organised, value, count in groups:
            totals[key_message_id][position] += count
            for key in _row_keys(dimension, bool(under), bool(organised), value):
                cells[key_message_id][key][position] += count
        if trace:
            found = await db.execute(
                select(counted_rows.c.key_message_id, counted_rows.c.id).order_by(counted_rows.c.id)
            )
            for key_message_id, contribution_id in found:
                traced[key_message_id].append(contribution_id)
    return {m.id: _matrix(dimension, positions, cells[m.id], totals[m.id], tuple(traced[m.id])) for m in messages}


def _matrix(
    dimension: Dimension,
    positions: tuple[str, ...],
    cells: dict[str, Counter[str]],
    totals: Counter[str],
    contribution_ids: tuple[int, ...],
) -> Matrix:
    rows = [
        MatrixRow(key, {p: counter.get(p, 0) for p in positions}, sum(counter.get(p, 0) for p in positions))
        for key, counter in cells.items()
    ]
    return Matrix(
        dimension=dimension,
        positions=positions,
        rows=ordered_rows(dimension, rows),
        totals={p: totals.get(p, 0) for p in positions},
        total=sum(totals.get(p, 0) for p in positions),
        contribution_ids=contribution_ids,
    )


def ordered_rows(dimension: Dimension, rows: Iterable[MatrixRow]) -> list[MatrixRow]:
    """Types in their fixed order, so key messages compare row by row; places by size, then
    code; individuals and undisclosed last."""
    type_order = {t.value: index for index, t in enumerate(OrganisationType)}

    def order(row: MatrixRow) -> tuple[Any, ...]:
        if row.key in SPECIAL_ROWS:
            return (1, SPECIAL_ROWS.index(row.key), 0, "")
        if dimension is Dimension.STAKEHOLDER_TYPE:
            return (0, type_order.get(row.key, len(type_order)), 0, row.key)
        return (0, 0, -row.total, row.key)

    return sorted(rows, key=order)


def label_of(dimension: Dimension, key: str) -> str:
    """A row's readable name, in the current locale."""
    if key in SPECIAL_ROWS or dimension is Dimension.STAKEHOLDER_TYPE:
        return stakeholder_label(key)
    if dimension is Dimension.REGION:
        return m49_name(key)
    return country_name(key)


def heading_of(dimension: Dimension) -> str:
    """The heading of the rows' column."""
    return {
        Dimension.STAKEHOLDER_TYPE: _("Stakeholder type"),
        Dimension.REGION: _("Region of registration (UN M49)"),
        Dimension.COUNTRY: _("Country of registration"),
        Dimension.ORIGIN: _("Country of origin (diaspora organisations)"),
    }[dimension]
