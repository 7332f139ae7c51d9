"""Position matrices count what the public tallies count, by type or place, campaigns once
if asked, within the negotiator's selection."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.matrix import Dimension, Matrix, counted_here, label_of, position_matrices
from app.consolidation.selection import INDIVIDUAL, Selection
from app.consultation.models import Consultation
from app.discussion.campaigns import save_campaigns
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.near_duplicates import Group
from app.discussion.supersession import counted
from app.discussion.tallies import UNDISCLOSED, tallies
from app.i18n import BRUSSELS
from app.organisations.models import Organisation, OrganisationType, VerificationState
from tests.factories import key_message, make_organisation, make_position, make_user

REF = "RT2-KM2"
ONE = Selection(key_message=REF)


async def _speak(
    db: AsyncSession, consultation: Consultation, organisation: Organisation | None, position: str, **draft: object
) -> Contribution:
    author = await make_user(db, organisation=organisation, with_organisation=organisation is not None)
    return await make_position(db, consultation, author=author, ref=REF, position=position, **draft)


async def _matrix(db: AsyncSession, consultation: Consultation, dimension: Dimension, **kwargs: object) -> Matrix:
    selection = kwargs.pop("selection", ONE)
    assert isinstance(selection, Selection)
    found = await position_matrices(db, consultation, selection, dimension, **kwargs)  # type: ignore[arg-type]
    return found[key_message(consultation, REF).id]


def _rows(matrix: Matrix) -> dict[str, dict[str, int]]:
    return {row.key: {p: n for p, n in row.counts.items() if n} for row in matrix.rows}


async def _mixed_discussion(db: AsyncSession, consultation: Consultation) -> dict[str, Contribution]:
    senegal = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    diaspora = await make_organisation(db, type=OrganisationType.DIASPORA, country="FR")
    diaspora.origin_countries = ["SN", "ML"]
    ministry = await make_organisation(db, type=OrganisationType.GOVERNMENT, country="BE")
    ministry.verification = VerificationState.VERIFIED
    hidden_one = await make_organisation(db, type=OrganisationType.TRADE_UNION, country="DE")
    made = {
        "senegal": await _speak(db, consultation, senegal, "support"),
        "diaspora": await _speak(db, consultation, diaspora, "support"),
        "ministry_first": await _speak(db, consultation, ministry, "support"),
        "person": await _speak(db, consultation, None, "neutral"),
        "anonymous": await _speak(
            db, consultation, await make_organisation(db, country="NL"), "oppose", publication="anonymous"
        ),
        "private": await _speak(db, consultation, None, "oppose", publication="not_for_publication"),
        "hidden": await _speak(db, consultation, hidden_one, "oppose"),
    }
    # The ministry changes its mind: only its current position counts.
    made["ministry"] = await _speak(db, consultation, ministry, "oppose")
    made["hidden"].status = ContributionStatus.HIDDEN
    await db.flush()
    return made


async def test_the_matrix_counts_what_the_public_tallies_count(db: AsyncSession, consultation: Consultation) -> None:
    made = await _mixed_discussion(db, consultation)
    message_id = key_message(consultation, REF).id
    tally = (await tallies(db, [message_id]))[message_id]

    by_type = await _matrix(db, consultation, Dimension.STAKEHOLDER_TYPE, campaigns_once=False)
    assert _rows(by_type) == {kind: dict(counter) for kind, counter in tally.by_type.items()}
    assert _rows(by_type) == {
        "government": {"oppose": 1},
        "civil_society": {"support": 1},
        "diaspora": {"support": 1},
        INDIVIDUAL: {"neutral": 1},
        UNDISCLOSED: {"oppose": 1},
    }
    assert [row.key for row in by_type.rows] == ["government", "civil_society", "diaspora", INDIVIDUAL, UNDISCLOSED]
    assert by_type.totals == {p: tally.by_position.get(p, 0) for p in consultation.positions}
    assert by_type.total == tally.total == 5
    counted = {"senegal", "diaspora", "ministry", "person", "anonymous"}
    assert by_type.contribution_ids == tuple(sorted(made[name].id for name in counted))

    places = {
        Dimension.REGION: tally.by_region,
        Dimension.COUNTRY: tally.by_country,
        Dimension.ORIGIN: tally.by_origin,
    }
    for dimension, expected in places.items():
        matrix = await _matrix(db, consultation, dimension, campaigns_once=False)
        rows = _rows(matrix)
        assert {key: counts for key, counts in rows.items() if key not in (INDIVIDUAL, UNDISCLOSED)} == {
            key: dict(counter) for key, counter in expected.items()
        }, dimension
        assert matrix.totals == by_type.totals
    assert _rows(await _matrix(db, consultation, Dimension.ORIGIN))["ML"] == {"support": 1}
    region = await _matrix(db, consultation, Dimension.REGION)
    # Rows of places add up to the totals, individuals and undisclosed included.
    assert {p: sum(row.counts[p] for row in region.rows) for p in region.positions} == region.totals


async def test_a_campaign_counts_once_in_its_earliest_member_s_row(
    db: AsyncSession, consultation: Consultation
) -> None:
    business = await make_organisation(db, type=OrganisationType.EMPLOYERS_BUSINESS, country="DE")
    members = [await _speak(db, consultation, business if i == 0 else None, "oppose") for i in range(3)]
    elsewhere = await _speak(db, consultation, None, "support")
    await save_campaigns(db, consultation.id, [Group(tuple(c.id for c in [*members, elsewhere]))])
    await db.flush()

    once = await _matrix(db, consultation, Dimension.STAKEHOLDER_TYPE)
    assert _rows(once) == {"employers_business": {"oppose": 1}, INDIVIDUAL: {"support": 1}}
    assert once.total == 2 and once.contribution_ids == (members[0].id, elsewhere.id)
    every = await _matrix(db, consultation, Dimension.STAKEHOLDER_TYPE, campaigns_once=False)
    assert _rows(every) == {"employers_business": {"oppose": 1}, INDIVIDUAL: {"oppose": 2, "support": 1}}
    # Within a selection without the first member, the campaign still counts once.
    individuals = await _matrix(
        db,
        consultation,
        Dimension.STAKEHOLDER_TYPE,
        selection=Selection(key_message=REF, stakeholder_types=(INDIVIDUAL,)),
    )
    assert _rows(individuals) == {INDIVIDUAL: {"oppose": 1, "support": 1}}
    assert individuals.contribution_ids == (members[1].id, elsewhere.id)


async def test_filters_apply_and_leave_anonymous_positions_out_when_they_concern_the_speaker(
    db: AsyncSession, consultation: Consultation
) -> None:
    made = await _mixed_discussion(db, consultation)

    async def ids(selection: Selection) -> set[int]:
        return set((await _matrix(db, consultation, Dimension.STAKEHOLDER_TYPE, selection=selection)).contribution_ids)

    def of(*names: str) -> set[int]:
        return {made[name].id for name in names}

    assert await ids(Selection(key_message=REF, positions=("oppose",))) == of("ministry", "anonymous")
    assert await ids(Selection(key_message=REF, stakeholder_types=("civil_society",))) == of("senegal")
    assert await ids(Selection(key_message=REF, stakeholder_types=(INDIVIDUAL,))) == of("person")
    assert await ids(Selection(key_message=REF, verified_only=True)) == of("ministry")
    assert await ids(Selection(key_message=REF, regions=("150",))) == of("ministry", "diaspora")
    made["person"].created_at = datetime(2013, 6, 1, 23, 30, tzinfo=BRUSSELS)  # still 1 June in Brussels
    await db.flush()
    assert await ids(Selection(key_message=REF, since=date(2013, 6, 1), until=date(2013, 6, 1))) == of("person")
    today = datetime.now(BRUSSELS).date()
    assert await ids(Selection(key_message=REF, since=today - timedelta(days=1))) == of(
        "senegal", "diaspora", "ministry", "anonymous"
    )
    matrix = await _matrix(
        db, consultation, Dimension.STAKEHOLDER_TYPE, selection=Selection(key_message=REF, positions=("oppose",))
    )
    assert matrix.positions == ("oppose",)


async def test_every_selected_key_message_has_a_matrix_even_without_positions(
    db: AsyncSession, consultation: Consultation
) -> None:
    matrices = await position_matrices(db, consultation, Selection(roundtable="RT2"), Dimension.COUNTRY, trace=False)
    assert list(matrices) == [m.id for m in Selection(roundtable="RT2").key_messages(consultation)]
    assert all(m.contribution_ids == () for m in matrices.values())


def test_rows_have_readable_labels() -> None:
    assert label_of(Dimension.STAKEHOLDER_TYPE, "civil_society") == "Civil-society organisation"
    assert label_of(Dimension.REGION, "011") == "Western Africa"
    assert label_of(Dimension.COUNTRY, "SN") == "Senegal"
    assert label_of(Dimension.ORIGIN, "ML") == "Mali"
    assert label_of(Dimension.COUNTRY, INDIVIDUAL) == "Individuals"
    assert label_of(Dimension.REGION, UNDISCLOSED) == "Undisclosed (published anonymously)"


async def test_the_workspace_s_condition_of_a_counted_position_is_the_discussion_s(
    db: AsyncSession, consultation: Consultation
) -> None:
    await _mixed_discussion(db, consultation)
    ours = set(await db.scalars(select(Contribution.id).where(counted_here())))
    theirs = set(await db.scalars(select(Contribution.id).where(counted())))
    assert ours == theirs and len(ours) >= 5
