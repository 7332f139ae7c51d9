"""Random sequences of real writes, through the services people use (posting for an
organisation or personally with every consent, replies, edits, withdrawal, moderation,
erasure, organisation edits): after every step the counts the triggers keep equal a
recount, row by row and as tallies."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import consultation_by_slug
from app.db import utcnow
from app.discussion.contribution_edit import (
    Changes,
    EditRefused,
    edit_contribution,
    version_of,
    withdraw_contribution,
)
from app.discussion.contribution_write import PERSONAL
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, PublicationConsent
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, set_visibility
from app.organisations.models import Organisation, OrganisationType
from app.privacy.erasure import ErasureRefused, PersonalContributions, erase_account
from app.security.roles import Role
from tests.conftest import SEED_SLUG
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user
from tests.unit.discussion.test_position_counts import assert_in_step

REFS = ("RT2-KM1", "RT2-KM2")
PEOPLE = 6  #: two members of one organisation, one each of two others, two individuals
STEPS = 14

people = st.integers(0, PEOPLE - 1)
targets = st.integers(0, 10**6)  #: an index into the contributions so far, modulo their number
posts = st.tuples(
    st.just("post"),
    people,
    st.sampled_from(REFS),
    st.sampled_from(["support", "support_with_amendments", "oppose", "neutral"]),
    st.sampled_from(list(PublicationConsent)),
    st.booleans(),  # personally, not for their organisation
)
steps = st.one_of(
    posts,
    st.tuples(st.just("reply"), people, targets),
    st.tuples(st.just("edit"), targets, st.sampled_from(["support", "oppose", "neutral"])),
    st.tuples(st.just("withdraw"), targets),
    st.tuples(st.just("moderate"), targets, st.sampled_from([ModerationAction.HIDE, ModerationAction.RESTORE])),
    st.tuples(st.just("erase"), people, st.sampled_from(list(PersonalContributions))),
    st.tuples(
        st.just("retype"),
        st.integers(0, 2),
        st.sampled_from(list(OrganisationType)),
        st.sampled_from(["SN", "FR", "BE"]),
    ),
)


@dataclass
class Scene:
    consultation: Consultation
    organisations: list[Organisation]
    people: list  # list[User]
    moderator: object
    contributions: list[Contribution] = field(default_factory=list)
    erased: set[int] = field(default_factory=set)

    def target(self, index: int) -> Contribution | None:
        return self.contributions[index % len(self.contributions)] if self.contributions else None


async def _scene(db) -> Scene:
    consultation = await consultation_by_slug(db, SEED_SLUG)
    assert consultation is not None
    civil = await make_organisation(db, type=OrganisationType.CIVIL_SOCIETY, country="SN")
    diaspora = await make_organisation(db, type=OrganisationType.DIASPORA, country="FR")
    diaspora.origin_countries = ["SN", "ML"]
    government = await make_organisation(db, type=OrganisationType.GOVERNMENT, country="BE")
    members = [await make_user(db, organisation=o) for o in (civil, civil, diaspora, government)]
    individuals = [await make_user(db, with_organisation=False) for _ in range(2)]
    moderator = await make_user(db, role=Role.MODERATOR)
    return Scene(consultation, [civil, diaspora, government], members + individuals, moderator)


async def _post(db, scene: Scene, person: int, ref: str, position: str, consent, personal: bool) -> None:
    author = scene.people[person]
    if person in scene.erased:
        return
    if consent is PublicationConsent.ORGANISATION_ONLY and (personal or not author.memberships):
        consent = PublicationConsent.NAMED  # there is no organisation to publish it under
    scene.contributions.append(
        await make_position(
            db,
            scene.consultation,
            author=author,
            ref=ref,
            position=position,
            publication=consent.value,
            **({"organisation_id": PERSONAL} if personal else {}),
        )
    )


async def _edit(db, scene: Scene, contribution: Contribution, position: str) -> None:
    if contribution.parent_id is not None:
        return
    changes = Changes(
        body=contribution.body_source or "Changed.",
        language=contribution.language or "en",
        version=version_of(contribution),
        position=position,
    )
    await edit_contribution(
        db,
        contribution=contribution,
        consultation=scene.consultation,
        key_message=await db.get_one(KeyMessage, contribution.key_message_id),
        changes=changes,
        window_minutes=30,
        max_chars=10_000,
        now=utcnow(),
    )


async def _step(db, scene: Scene, step: tuple) -> None:
    kind, *args = step
    target = scene.target(args[0]) if kind in ("edit", "withdraw", "moderate") else None
    try:
        if kind == "post":
            await _post(db, scene, *args)
        elif kind == "reply" and (parent := scene.target(args[1])) is not None and args[0] not in scene.erased:
            scene.contributions.append(await make_reply(db, author=scene.people[args[0]], parent=parent))
        elif kind == "edit" and target is not None:
            await _edit(db, scene, target, args[1])
        elif kind == "withdraw" and target is not None:
            await withdraw_contribution(db, contribution=target, consultation=scene.consultation)
        elif kind == "moderate" and target is not None:
            await set_visibility(db, moderator=scene.moderator, contribution=target, action=args[1], reason="Decided.")
        elif kind == "erase" and args[0] not in scene.erased:
            await erase_account(db, scene.people[args[0]], contributions=args[1])
            scene.erased.add(args[0])
        elif kind == "retype":
            organisation = scene.organisations[args[0]]
            organisation.type, organisation.country = args[1], args[2]
            await db.flush()
    except (EditRefused, ModerationError, ErasureRefused, ContributionError):
        pass  # refused before changing anything: the counts must still agree


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opening=st.lists(posts, min_size=1, max_size=4), sequence=st.lists(steps, max_size=STEPS))
async def test_the_counts_equal_a_recount_after_every_write(db, opening, sequence):
    savepoint = await db.begin_nested()  # each example starts from the seeded database
    try:
        scene = await _scene(db)
        ids = [key_message(scene.consultation, ref).id for ref in REFS]
        for step in opening + sequence:
            await _step(db, scene, step)
            await assert_in_step(db, ids)
    finally:
        await savepoint.rollback()
