"""Random sequences of real writes (those of the position counts' property test): after them,
every matrix equals the public tallies recounted from contributions, and counting a random
campaign once takes away exactly its repeats."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.consolidation.matrix import Dimension, Matrix, position_matrices
from app.consolidation.selection import INDIVIDUAL, Selection
from app.discussion.campaigns import save_campaigns
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.discussion.near_duplicates import Group
from app.discussion.tallies import UNDISCLOSED, Tally, recount_tallies
from tests.factories import key_message
from tests.unit.discussion.test_position_counts_property import REFS, STEPS, _scene, _step, posts, steps

PLACES = {Dimension.REGION: "by_region", Dimension.COUNTRY: "by_country", Dimension.ORIGIN: "by_origin"}


def _rows(matrix: Matrix) -> dict[str, dict[str, int]]:
    return {row.key: {p: n for p, n in row.counts.items() if n} for row in matrix.rows}


def _assert_like_the_tally(matrix: Matrix, tally: Tally, dimension: Dimension) -> None:
    assert matrix.totals == {p: tally.by_position.get(p, 0) for p in matrix.positions}
    rows = _rows(matrix)
    if dimension is Dimension.STAKEHOLDER_TYPE:
        assert rows == {kind: dict(counter) for kind, counter in tally.by_type.items() if sum(counter.values())}
        return
    places = {key: counts for key, counts in rows.items() if key not in (INDIVIDUAL, UNDISCLOSED)}
    expected = getattr(tally, PLACES[dimension])
    assert places == {key: dict(counter) for key, counter in expected.items() if sum(counter.values())}


async def _campaign_repeats(db, ids: list[int], message_id: int) -> Counter[str]:  # type: ignore[no-untyped-def]
    """Counted members of the campaign beyond the first per position: the oracle, in Python."""
    rows = await db.execute(
        select(Contribution.position).where(
            Contribution.id.in_(ids),
            Contribution.key_message_id == message_id,
            Contribution.parent_id.is_(None),
            Contribution.superseded_by_id.is_(None),
            Contribution.status == ContributionStatus.VISIBLE,
            Contribution.publication != PublicationConsent.NOT_FOR_PUBLICATION,
        )
    )
    members = Counter(position for (position,) in rows)
    return Counter({position: count - 1 for position, count in members.items() if count > 1})


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opening=st.lists(posts, min_size=1, max_size=4),
    sequence=st.lists(steps, max_size=STEPS),
    campaign=st.sets(st.integers(0, 30), max_size=8),
)
async def test_matrices_equal_the_recounted_tallies(db, opening, sequence, campaign):  # type: ignore[no-untyped-def]
    savepoint = await db.begin_nested()  # each example starts from the seeded database
    try:
        scene = await _scene(db)
        for step in opening + sequence:
            await _step(db, scene, step)
        consultation = scene.consultation
        ids = [key_message(consultation, ref).id for ref in REFS]
        tallies = await recount_tallies(db, ids)
        selection = Selection(roundtable="RT2")
        for dimension in Dimension:
            matrices = await position_matrices(db, consultation, selection, dimension, campaigns_once=False)
            for message_id in ids:
                _assert_like_the_tally(matrices[message_id], tallies[message_id], dimension)

        members = sorted({scene.contributions[i % len(scene.contributions)].id for i in campaign})
        if len(members) >= 2:
            await save_campaigns(db, consultation.id, [Group(tuple(members))])
            await db.flush()
        once = await position_matrices(db, consultation, selection, Dimension.STAKEHOLDER_TYPE)
        for message_id in ids:
            repeats = await _campaign_repeats(db, members if len(members) >= 2 else [], message_id)
            tally = tallies[message_id]
            assert once[message_id].totals == {
                p: tally.by_position.get(p, 0) - repeats.get(p, 0) for p in once[message_id].positions
            }
            assert len(once[message_id].contribution_ids) == once[message_id].total
    finally:
        await savepoint.rollback()
