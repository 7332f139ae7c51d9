"""Tallies count what may be published: by type, region, residence and origin."""

from __future__ import annotations

from app.discussion.tallies import INDIVIDUAL, UNDISCLOSED, tallies
from app.organisations.models import OrganisationType
from tests.factories import key_message, make_organisation, make_position, make_user

REF = "RT2-KM2"


async def tally_of(db, consultation):
    message_id = key_message(consultation, REF).id
    return (await tallies(db, [message_id]))[message_id]


def plain(counts):
    return {key: dict(counter) for key, counter in counts.items()}


async def test_positions_by_stakeholder_type_and_un_region(db, consultation):
    senegal = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    mali = await make_organisation(db, type=OrganisationType.DIASPORA, country="ML")
    belgium = await make_organisation(db, type=OrganisationType.GOVERNMENT, country="BE")
    for organisation, position in ((senegal, "support"), (mali, "support"), (belgium, "oppose")):
        await make_position(
            db, consultation, author=await make_user(db, organisation=organisation), ref=REF, position=position
        )
    await make_position(
        db, consultation, author=await make_user(db, with_organisation=False), ref=REF, position="neutral"
    )
    tally = await tally_of(db, consultation)
    assert tally.total == 4
    assert plain(tally.by_type) == {
        "civil_society": {"support": 1},
        "diaspora": {"support": 1},
        "government": {"oppose": 1},
        INDIVIDUAL: {"neutral": 1},
    }
    # Senegal and Mali are both in Western Africa (011); Belgium in Western Europe (155).
    assert plain(tally.by_region) == {"011": {"support": 2}, "155": {"oppose": 1}}


async def test_anonymous_positions_count_without_revealing_type_or_place(db, consultation):
    diaspora = await make_organisation(db, type=OrganisationType.DIASPORA, country="FR")
    diaspora.origin_countries = ["SN"]
    author = await make_user(db, organisation=diaspora)
    await make_position(db, consultation, author=author, ref=REF, position="oppose", publication="anonymous")
    tally = await tally_of(db, consultation)
    assert dict(tally.by_position) == {"oppose": 1}
    assert plain(tally.by_type) == {UNDISCLOSED: {"oppose": 1}}
    assert not tally.by_country and not tally.by_region and not tally.by_origin


async def test_contributions_not_for_publication_are_not_counted(db, consultation):
    author = await make_user(db)
    await make_position(db, consultation, author=author, ref=REF, publication="not_for_publication")
    await make_position(db, consultation, author=author, ref=REF, position="oppose", publication="organisation_only")
    tally = await tally_of(db, consultation)
    assert dict(tally.by_position) == {"oppose": 1}
    assert tally.by_country  # organisation-only contributions name their organisation, so count by place
