"""Amendments grouped: the same wording merged whatever its spelling, near-identical ones
joined, sponsors and endorsers each counted once; read from the counted public amendments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.amendments import AmendmentItem, amendment_groups, group_amendments, normalised_wording
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.endorsements import endorse
from app.discussion.models import ContributionStatus
from app.organisations.models import OrganisationType
from tests.factories import key_message, make_organisation, make_position, make_user

WORDING = "The partnership shall respect the human rights of migrants and their families."


def item(
    contribution_id: int,
    text: str,
    organisation: tuple[int, str] | None = None,
    endorsers: tuple[tuple[int, str], ...] = (),
) -> AmendmentItem:
    return AmendmentItem(
        contribution_id=contribution_id,
        key_message_id=1,
        text=text,
        organisation_id=organisation[0] if organisation else None,
        organisation_name=organisation[1] if organisation else None,
        organisation_type="civil_society" if organisation else None,
        endorser_organisation_ids=tuple(i for i, _ in endorsers),
        endorser_names=tuple(n for _, n in endorsers),
    )


def test_spelling_case_spacing_and_unicode_forms_do_not_separate_a_wording() -> None:
    assert normalised_wording("  The  PARTNERSHIP shall…\u00a0respect!") == normalised_wording(
        "the partnership, shall respect"
    )
    assert normalised_wording("ﬁnal") == normalised_wording("final")  # NFKC: the ligature is two letters


def test_identical_and_near_identical_wordings_are_one_group_with_sponsors_once() -> None:
    groups = group_amendments(
        [
            item(5, WORDING, (1, "Caritas")),
            item(7, WORDING.upper(), (1, "Caritas"), endorsers=((2, "Oxfam"), (1, "Caritas"))),
            item(9, WORDING.replace("migrants", "migrant"), None, endorsers=((2, "Oxfam"), (3, "ILO"))),
            item(
                3, "Delete this key message entirely: it adds nothing to existing commitments.", (4, "BusinessEurope")
            ),
            item(11, WORDING + " ", None),
        ]
    )
    assert [g.contribution_ids for g in groups] == [(5, 7, 9, 11), (3,)]
    first = groups[0]
    assert first.wording == WORDING
    assert first.variants == ((9, WORDING.replace("migrants", "migrant")),)
    assert first.sponsors == ("Caritas",) and first.sponsor_count == 3  # Caritas once, two individuals
    assert first.endorsers == ("Oxfam", "ILO") and first.endorser_count == 2  # not Caritas: it sponsors


def test_wordings_that_differ_by_more_than_a_trifle_stay_apart() -> None:
    other = "The partnership shall respect the rights of workers."
    groups = group_amendments([item(1, WORDING), item(2, other)])
    assert len(groups) == 2
    assert len(group_amendments([item(1, WORDING), item(2, other)], similarity=50)) == 1


texts = st.sampled_from([WORDING, WORDING.lower(), WORDING + "!", "Another wording altogether, much shorter.", "x"])


@given(st.lists(st.tuples(st.integers(1, 10_000), texts), unique_by=lambda pair: pair[0], max_size=30))
def test_grouping_keeps_every_amendment_once_in_a_stable_order(pairs: list[tuple[int, str]]) -> None:
    items = [item(i, text, (i % 3, f"Org {i % 3}")) for i, text in pairs]
    groups = group_amendments(items)
    ids = [i for g in groups for i in g.contribution_ids]
    assert sorted(ids) == sorted(i for i, _ in pairs)
    assert group_amendments(list(reversed(items))) == groups
    assert [(-len(g.contribution_ids), g.contribution_ids[0]) for g in groups] == sorted(
        (-len(g.contribution_ids), g.contribution_ids[0]) for g in groups
    )
    for group in groups:
        assert group.contribution_ids == tuple(sorted(group.contribution_ids))
        assert group.wording == next(text for i, text in sorted(pairs) if i == group.contribution_ids[0])
        assert group.sponsor_count == len(group.sponsors) and not set(group.endorsers) & set(group.sponsors)


async def test_only_counted_public_amendments_are_read_with_their_endorsers(
    db: AsyncSession, consultation: Consultation
) -> None:
    ref = "RT2-KM2"
    caritas = await make_organisation(db, name="Caritas Senegal", type=OrganisationType.CIVIL_SOCIETY)
    oxfam = await make_organisation(db, name="Oxfam Novib", country="NL")

    async def amend(text: str, **draft: object):  # type: ignore[no-untyped-def]
        author = await make_user(db, organisation=await make_organisation(db))
        return await make_position(
            db, consultation, author=author, ref=ref, position="support_with_amendments", amendment_text=text, **draft
        )

    named = await make_position(
        db,
        consultation,
        author=await make_user(db, organisation=caritas),
        ref=ref,
        position="support_with_amendments",
        amendment_text=WORDING,
    )
    await endorse(db, user=await make_user(db, organisation=oxfam), contribution=named, organisation_id=oxfam.id)
    anonymous = await amend(WORDING.lower(), publication="anonymous")
    await amend(WORDING, publication="not_for_publication")
    (await amend(WORDING)).status = ContributionStatus.HIDDEN
    await db.flush()

    groups = (await amendment_groups(db, consultation, Selection(key_message=ref)))[key_message(consultation, ref).id]
    assert len(groups) == 1
    group = groups[0]
    assert group.contribution_ids == (named.id, anonymous.id)
    assert group.sponsors == ("Caritas Senegal",) and group.sponsor_count == 2
    assert group.endorsers == ("Oxfam Novib",)
    civil_society = Selection(key_message=ref, stakeholder_types=("civil_society",))
    filtered = await amendment_groups(db, consultation, civil_society)
    assert [g.contribution_ids for g in filtered[key_message(consultation, ref).id]] == [(named.id,)]


def _naive_groups(items: list[AmendmentItem], similarity: float) -> list[tuple[int, ...]]:
    """The same leader grouping, every wording compared with every representative."""
    by_wording: dict[str, list[int]] = {}
    for one in sorted(items, key=lambda i: i.contribution_id):
        by_wording.setdefault(normalised_wording(one.text), []).append(one.contribution_id)
    representatives: list[str] = []
    members: list[list[int]] = []
    for wording, ids in by_wording.items():
        found = process.extractOne(wording, representatives, scorer=fuzz.ratio, score_cutoff=similarity)
        if found is None:
            representatives.append(wording)
            members.append(list(ids))
        else:
            members[found[2]] += ids
    return sorted((tuple(sorted(m)) for m in members), key=lambda ids: (-len(ids), ids[0]))


edits = st.lists(st.tuples(st.integers(0, 80), st.sampled_from(["", "x", "migrant", " and ", "é"])), max_size=6)


@given(st.lists(edits, min_size=1, max_size=25), st.sampled_from([80.0, 90.0, 95.0]))
def test_the_character_count_bound_never_changes_the_groups(
    variants: list[list[tuple[int, str]]], similarity: float
) -> None:
    items = []
    for number, changes in enumerate(variants, start=1):
        text = WORDING
        for at, inserted in changes:
            text = text[:at] + inserted + text[at + len(inserted) // 2 :]
        items.append(item(number, text))
    assert [g.contribution_ids for g in group_amendments(items, similarity=similarity)] == _naive_groups(
        items, similarity
    )
