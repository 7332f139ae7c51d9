"""The demo data generator: counts, thread consistency, positions, determinism, errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import is_country_code
from app.consultation.models import Consultation, ConsultationStatus
from app.consultation.services import all_key_messages
from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution
from app.organisations.models import Membership, Organisation
from app.text.markdown import render_markdown
from tests.factories import key_message


async def generate(db, count: int = 200, *, ref: str | None = None, seed: int = 7) -> list[Contribution]:
    """Run the generator and return what it added, in id order."""
    before = await db.scalar(select(func.coalesce(func.max(Contribution.id), 0)))
    await generate_demo_data(db, contributions=count, key_message_ref=ref, consultation_slug=None, random_seed=seed)
    return list(
        (await db.scalars(select(Contribution).where(Contribution.id > before).order_by(Contribution.id))).all()
    )


async def test_creates_the_requested_number_spread_over_the_key_messages(db, consultation):
    added = await generate(db, 300)
    assert len(added) == 300
    assert len({c.key_message_id for c in added}) > 13  # of 26


async def test_replies_nest_consistently_under_earlier_contributions_of_the_same_key_message(db, consultation):
    added = await generate(db, 400)
    by_id = {c.id: c for c in added}
    replies = [c for c in added if c.parent_id is not None]
    for reply in replies:
        parent = by_id[reply.parent_id]
        assert reply.key_message_id == parent.key_message_id
        assert reply.depth == parent.depth + 1
        assert reply.thread_root_id == (parent.thread_root_id or parent.id)
        assert by_id[reply.thread_root_id].parent_id is None
        assert reply.created_at >= parent.created_at
    assert 0.25 < len(replies) / len(added) < 0.5
    assert {1, 2, 3} <= {r.depth for r in replies}


async def test_only_top_level_contributions_carry_a_position_from_the_consultation(db, consultation):
    added = await generate(db, 300)
    top_level = [c for c in added if c.parent_id is None]
    assert all(c.depth == 0 and c.thread_root_id is None for c in top_level)
    assert {c.position for c in top_level} == set(consultation.positions)
    assert all(c.position is None for c in added if c.parent_id is not None)


async def test_a_key_message_ref_puts_every_contribution_on_it(db, consultation):
    added = await generate(db, 150, ref="RT2-KM3")
    assert {c.key_message_id for c in added} == {key_message(consultation, "RT2-KM3").id}


async def test_bodies_are_rendered_markdown_and_authors_speak_for_their_own_organisation(db, consultation):
    added = await generate(db, 200)
    assert all(c.body_html == render_markdown(c.body_source) for c in added)
    assert any("<strong>" in c.body_html for c in added) and any("<li>" in c.body_html for c in added)
    memberships = {tuple(row) for row in await db.execute(select(Membership.user_id, Membership.organisation_id))}
    assert all(c.organisation_id is None or (c.author_id, c.organisation_id) in memberships for c in added)
    assert len({c.organisation_id for c in added}) > 5


async def test_organisations_have_varied_types_and_iso_countries(db, consultation):
    await generate(db, 500)
    organisations = (await db.scalars(select(Organisation))).all()
    assert len({o.type for o in organisations}) >= 6
    assert all(is_country_code(o.country) for o in organisations)
    assert len({o.country for o in organisations}) > 10


async def test_the_same_seed_gives_the_same_content_and_a_second_run_adds_new_people(db, consultation):
    first = await generate(db, 120, seed=11)
    second = await generate(db, 120, seed=11)
    other = await generate(db, 120, seed=12)

    def content(rows: list[Contribution]) -> list[tuple[str, str | None, int]]:
        return [(c.body_source, c.position, c.depth) for c in rows]

    assert content(first) == content(second)
    assert content(first) != content(other)
    assert not {c.author_id for c in first} & {c.author_id for c in second}
    emails = (await db.scalars(select(User.email).where(User.email.like("demo-%@example.org")))).all()
    assert len(emails) == len(set(emails)) >= 3 * 30


async def test_the_summary_is_one_line(db, consultation):
    summary = await generate_demo_data(
        db, contributions=10, key_message_ref="RT1-KM1", consultation_slug="com-2013-292", random_seed=1
    )
    assert "\n" not in summary and "10 contributions" in summary


@pytest.mark.parametrize(
    ("ref", "slug", "message"),
    [
        ("RT9-KM9", None, "no key message 'RT9-KM9'"),
        (None, "no-such-consultation", "no consultation with the slug 'no-such-consultation'"),
    ],
)
async def test_unknown_references_raise_lookup_error(db, consultation, ref, slug, message):
    with pytest.raises(LookupError, match=message):
        await generate_demo_data(db, contributions=5, key_message_ref=ref, consultation_slug=slug, random_seed=1)


async def test_several_consultations_need_a_slug_and_a_count_below_one_is_refused(db, consultation):
    db.add(
        Consultation(
            slug="another",
            title="Another",
            source_reference="X",
            language="en",
            status=ConsultationStatus.PUBLISHED,
            positions=["support"],
        )
    )
    await db.flush()
    with pytest.raises(LookupError, match="choose a consultation with --consultation"):
        await generate_demo_data(db, contributions=5, key_message_ref=None, consultation_slug=None, random_seed=1)
    with pytest.raises(ValueError, match="at least 1"):
        await generate_demo_data(
            db, contributions=0, key_message_ref=None, consultation_slug="com-2013-292", random_seed=1
        )


async def test_other_than_leaves_key_messages_out(db, consultation):
    """The benchmark fills the database around the discussions it measures."""
    kept_out = {"RT2-KM2", "RT2-KM3"}
    added = await generate_demo_data(
        db, contributions=300, key_message_ref=None, consultation_slug=None, random_seed=3, other_than=kept_out
    )
    assert "300 contributions" in added and "on 24 key message(s)" in added
    refs = {key_message(consultation, ref).id for ref in kept_out}
    assert not await db.scalar(select(func.count()).where(Contribution.key_message_id.in_(refs)))
    every = {m.ref for m in all_key_messages(consultation)}
    with pytest.raises(LookupError, match="no key message in consultation"):
        await generate_demo_data(
            db, contributions=5, key_message_ref=None, consultation_slug=None, random_seed=3, other_than=every
        )
