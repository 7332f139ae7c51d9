"""The topic filter on lists that span consultations: an organisation's contributions and a
person's own. Topics are matched by slug, so one choice covers every consultation that has it."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from app.consultation.seed import load_seed, read_seed_file
from app.consultation.services import consultation_by_slug
from app.discussion.models import PublicationConsent
from tests.conftest import SEED_FILE
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import sign_in, soup


@pytest.fixture
def small_pages(app, settings):
    app.state.settings = replace(settings, page_size=2)


async def second_consultation(db):
    """Another consultation with the same vocabulary, as a second seed file would make."""
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = "second"
    await load_seed(db, data)
    return await consultation_by_slug(db, "second")


def topic_choices(page) -> list[tuple[str, str]]:
    return [(option["value"], option.get_text()) for option in page.select("#filter-topic option")]


def listed_ids(page, selector: str) -> list[int]:
    return [int(a["href"].rsplit("/", 1)[1]) for a in page.select(selector)]


async def test_an_organisation_page_filters_its_contributions_by_topic_across_consultations(client, db, consultation):
    organisation = await make_organisation(db)
    member = await make_user(db, organisation=organisation)
    second = await second_consultation(db)
    here = await make_position(db, consultation, author=member, ref="RT2-KM2", topics=("remittances",))
    there = await make_position(db, second, author=member, ref="RT1-KM1", topics=("remittances", "gender"))
    untagged = await make_position(db, consultation, author=member, ref="RT1-KM2")
    # Offering "children" would tell readers the organisation spoke anonymously on it.
    await make_position(db, consultation, author=member, topics=("children",), publication=PublicationConsent.ANONYMOUS)
    await db.commit()
    profile = f"/organisations/{organisation.id}"
    links = ".organisation-contributions a[href^='/contributions/']"

    everything = soup(await client.get(profile))
    remittances = soup(await client.get(profile, params={"topic": "remittances"}))
    gender = soup(await client.get(profile, params={"topic": "gender"}))
    unknown = soup(await client.get(profile, params={"topic": "no-such-topic"}))

    assert [value for value, _label in topic_choices(everything)] == ["", "remittances", "gender"]
    assert topic_choices(everything)[1] == ("remittances", "Remittances"), "one choice for both consultations"
    assert listed_ids(everything, links) == [untagged.id, there.id, here.id]
    assert listed_ids(remittances, links) == [there.id, here.id]
    assert remittances.select_one("#filter-topic option[selected]")["value"] == "remittances"
    assert listed_ids(gender, links) == [there.id]
    assert listed_ids(unknown, links) == listed_ids(everything, links), "an unknown topic means all topics"
    form = everything.select_one("form.list-controls")
    assert form["method"] == "get" and form["action"] == profile
    assert form.select_one("button[type=submit]") is not None


async def test_the_next_page_of_an_organisation_keeps_the_topic(client, db, consultation, small_pages):
    organisation = await make_organisation(db)
    member = await make_user(db, organisation=organisation)
    tagged = [
        await make_position(db, consultation, author=member, ref=f"RT1-KM{n}", topics=("diaspora",)) for n in (1, 2, 3)
    ]
    await make_position(db, consultation, author=member, ref="RT2-KM1")
    await db.commit()
    profile = f"/organisations/{organisation.id}"

    first = soup(await client.get(profile, params={"topic": "diaspora"}))
    older = first.select_one("a:-soup-contains('Older contributions')")["href"]
    second = soup(await client.get(older))

    assert older.startswith(f"{profile}?topic=diaspora&before=")
    links = ".organisation-contributions a[href^='/contributions/']"
    assert listed_ids(first, links) + listed_ids(second, links) == [c.id for c in reversed(tagged)]
    assert second.select_one("a:-soup-contains('Older contributions')") is None


async def test_a_person_filters_their_own_contributions_by_topic(client, db, consultation, small_pages):
    author = await make_user(db)
    second = await second_consultation(db)
    tagged = [
        await make_position(db, consultation, author=author, ref="RT1-KM1", topics=("brain-drain",)),
        await make_position(db, second, author=author, ref="RT1-KM1", topics=("brain-drain",)),
        await make_position(db, consultation, author=author, ref="RT1-KM2", topics=("brain-drain", "health")),
    ]
    await make_position(db, consultation, author=author, ref="RT1-KM3")
    await make_position(db, consultation, author=await make_user(db), topics=("gender",))  # someone else's
    await db.commit()
    await sign_in(client, author.email, PASSWORD)

    everything = soup(await client.get("/account/contributions"))
    first = soup(await client.get("/account/contributions", params={"topic": "brain-drain"}))
    older = first.select_one("a:-soup-contains('Older contributions')")["href"]
    rest = soup(await client.get("/account/contributions" + older))
    back = rest.select_one("a:-soup-contains('Back to the newest')")["href"]

    assert [value for value, _label in topic_choices(everything)] == ["", "brain-drain", "health"]
    assert older.startswith("?topic=brain-drain&before=")
    shown = [li["id"] for li in first.select(".own-contributions > li") + rest.select(".own-contributions > li")]
    assert shown == [f"own-{c.id}" for c in reversed(tagged)]
    assert back == "/account/contributions?topic=brain-drain"


async def test_lists_without_tagged_contributions_offer_no_topic_filter(client, db, consultation):
    organisation = await make_organisation(db)
    author = await make_user(db, organisation=organisation)
    await make_position(db, consultation, author=author)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)

    assert soup(await client.get("/account/contributions")).select_one("#filter-topic") is None
    assert soup(await client.get(f"/organisations/{organisation.id}")).select_one("#filter-topic") is None
