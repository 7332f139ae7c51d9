"""The negotiators' filters: parsed from hostile query strings without failing, canonical,
and selecting the right contributions in SQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams

from app.consolidation.selection import INDIVIDUAL, Selection, parse_selection
from app.consultation.models import Consultation
from app.discussion.models import Contribution
from app.i18n import BRUSSELS
from app.organisations.models import Organisation, OrganisationType, VerificationState
from tests.factories import make_organisation, make_position, make_user


def test_an_empty_query_selects_everything(consultation: Consultation) -> None:
    parsed = parse_selection(QueryParams(""), consultation)
    assert parsed.selection.is_empty and parsed.errors == {}
    assert len(parsed.selection.key_messages(consultation)) == 17 + sum(
        len(s.key_messages) for s in consultation.sections if s.ref is None or not s.ref.startswith("RT")
    )


def test_values_are_canonical_whatever_their_order_and_repeats(consultation: Consultation) -> None:
    one = parse_selection(QueryParams("type=diaspora&type=civil_society&type=diaspora&position=oppose"), consultation)
    two = parse_selection(QueryParams("position=oppose&type=civil_society&type=diaspora"), consultation)
    assert one.selection == two.selection
    assert one.selection.as_params() == [("type", "civil_society"), ("type", "diaspora"), ("position", "oppose")]
    assert Selection.from_dict(one.selection.as_dict()) == one.selection


def test_hostile_values_are_refused_beside_their_field_and_left_out(consultation: Consultation) -> None:
    query = QueryParams(
        {
            "roundtable": "RT9' OR 1=1",
            "key_message": "\x00",
            "type": "robots",
            "region": "999",
            "position": "<script>",
            "since": "9" * 5000,
            "until": "2013-02-30",
        }
    )
    parsed = parse_selection(query, consultation)
    assert parsed.selection.is_empty
    assert set(parsed.errors) == {"roundtable", "key_message", "type", "region", "position", "since", "until"}


def test_a_last_day_before_the_first_is_refused(consultation: Consultation) -> None:
    parsed = parse_selection(QueryParams("since=2013-06-10&until=2013-06-01"), consultation)
    assert parsed.selection.since == date(2013, 6, 10) and parsed.selection.until is None
    assert "until" in parsed.errors


def test_a_roundtable_selects_its_key_messages_in_order(consultation: Consultation) -> None:
    selection = parse_selection(QueryParams("roundtable=RT2"), consultation).selection
    refs = [m.ref for m in selection.key_messages(consultation)]
    assert refs and all(ref.startswith("RT2-") for ref in refs)
    assert refs == sorted(refs, key=lambda ref: int(ref.rsplit("KM", 1)[1]))
    one = Selection(roundtable="RT2", key_message="RT2-KM3").key_messages(consultation)
    assert [m.ref for m in one] == ["RT2-KM3"]


async def _selected(db: AsyncSession, selection: Selection) -> set[int]:
    statement = (
        select(Contribution.id)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(selection.condition())
    )
    return set((await db.scalars(statement)).all())


async def test_conditions_select_by_type_region_position_verification_and_day(
    db: AsyncSession, consultation: Consultation
) -> None:
    senegal = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    ministry = await make_organisation(db, type=OrganisationType.GOVERNMENT, country="NL")
    ministry.verification = VerificationState.VERIFIED
    african = await make_position(db, consultation, author=await make_user(db, organisation=senegal))
    european = await make_position(
        db, consultation, author=await make_user(db, organisation=ministry), position="oppose"
    )
    alone = await make_position(db, consultation, author=await make_user(db, with_organisation=False))
    alone.created_at = datetime(2013, 6, 1, 23, 30, tzinfo=BRUSSELS)  # 21:30 UTC, still 1 June in Brussels
    await db.flush()
    ours = {african.id, european.id, alone.id}

    async def chosen(selection: Selection) -> set[int]:
        return await _selected(db, selection) & ours

    assert await chosen(Selection()) == ours
    assert await chosen(Selection(stakeholder_types=("civil_society",))) == {african.id}
    assert await chosen(Selection(stakeholder_types=(INDIVIDUAL,))) == {alone.id}
    assert await chosen(Selection(stakeholder_types=("government", INDIVIDUAL))) == {european.id, alone.id}
    assert await chosen(Selection(regions=("002",))) == {african.id}
    assert await chosen(Selection(positions=("oppose",))) == {european.id}
    assert await chosen(Selection(verified_only=True)) == {european.id}
    assert await chosen(Selection(since=date(2013, 6, 1), until=date(2013, 6, 1))) == {alone.id}
    assert await chosen(Selection(since=date(2013, 6, 2), until=date(2013, 6, 2))) == set()
    today = datetime.now(BRUSSELS).date()
    assert await chosen(Selection(since=today - timedelta(days=1))) == {african.id, european.id}


async def test_a_filter_by_who_spoke_never_places_an_anonymous_contribution(
    db: AsyncSession, consultation: Consultation
) -> None:
    """Choosing "civil society" must not tell negotiators that an anonymous one is from a
    civil-society organisation (decision 0010): under such a filter anonymous ones drop out."""
    ngo = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    named = await make_position(db, consultation, author=await make_user(db, organisation=ngo))
    hidden_name = await make_position(
        db, consultation, author=await make_user(db, organisation=ngo), publication="anonymous"
    )
    alone = await make_position(db, consultation, author=await make_user(db, with_organisation=False))
    await db.flush()
    ours = {named.id, hidden_name.id, alone.id}
    assert await _selected(db, Selection()) & ours == ours
    assert await _selected(db, Selection(positions=("support",))) & ours == ours  # not a filter by who spoke
    assert await _selected(db, Selection(stakeholder_types=("civil_society",))) & ours == {named.id}
    assert await _selected(db, Selection(regions=("002",))) & ours == {named.id}
    assert await _selected(db, Selection(stakeholder_types=("civil_society", INDIVIDUAL))) & ours == {
        named.id,
        alone.id,
    }
