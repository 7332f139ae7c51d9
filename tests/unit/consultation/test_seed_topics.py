"""The topic vocabulary of seeds/com-2013-292.yaml, and how the seed loader keeps topics."""

from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import select

from app.consultation.models import Topic
from app.consultation.seed import SeedError, load_seed, read_seed_file
from app.consultation.services import consultation_by_slug
from app.settings import PROJECT_ROOT
from tests.conftest import SEED_FILE
from tests.factories import make_position, make_user

SOURCE = (PROJECT_ROOT / "seeds" / "COM-2013-292-nl.txt").read_text(encoding="utf-8")
#: The source with its line breaks, soft hyphens and spacing undone, for phrase search.
SOURCE_WORDS = " ".join(SOURCE.replace("\u00ad", "").split()).casefold()
TOPICS = read_seed_file(SEED_FILE)["topics"]

#: The topics the issue names; the vocabulary must have each.
NAMED_IN_ISSUE = {
    "remittances",
    "diaspora",
    "brain-drain",
    "circular-migration",
    "south-south-migration",
    "climate-environment",
    "human-rights",
    "trafficking-smuggling",
    "labour-mobility",
    "skills-recognition",
    "social-protection",
    "data-migration-profiles",
    "cities-urbanisation",
    "forced-displacement",
    "gender",
    "children",
}


def occurs_in_source(term: str) -> bool:
    """As a whole word or phrase, not as part of a longer word."""
    phrase = re.escape(" ".join(term.split()).casefold())
    return re.search(rf"(?<!\w){phrase}(?!\w)", SOURCE_WORDS) is not None


def test_a_term_must_be_a_whole_word_of_the_source():
    assert "stedenbouw" in SOURCE_WORDS and occurs_in_source("stedenbouw")
    assert not occurs_in_source("stedenbou") and not occurs_in_source("vrouwenrechten")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic["slug"])
def test_each_term_of_a_topic_is_in_the_communication(topic):
    assert topic["terms"], "a topic names the words of the text it stands for"
    assert [term for term in topic["terms"] if not occurs_in_source(term)] == []


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic["slug"])
def test_each_topic_has_an_english_and_a_dutch_label(topic):
    assert topic["labels"]["en"].strip() and topic["labels"]["nl"].strip()


def test_slugs_are_unique_and_cover_the_issue():
    slugs = [topic["slug"] for topic in TOPICS]
    assert len(slugs) == len(set(slugs))
    assert NAMED_IN_ISSUE <= set(slugs)
    assert len(slugs) > len(NAMED_IN_ISSUE), "and others the text names"


async def test_topics_are_loaded_in_file_order(consultation):
    assert [t.slug for t in consultation.topics] == [topic["slug"] for topic in TOPICS]
    assert [t.position for t in consultation.topics] == list(range(len(TOPICS)))
    assert consultation.topics[0].labels == {"en": "Remittances", "nl": "Geldovermakingen"}


async def test_an_edited_label_is_updated_in_place(db, consultation):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["topics"][0]["labels"]["fr"] = "Transferts de fonds"
    before = consultation.topics[0].id

    report = await load_seed(db, data)

    assert report.changes == ["topic remittances.labels"]
    topic = await db.scalar(select(Topic).where(Topic.id == before))
    assert topic is not None and topic.labels["fr"] == "Transferts de fonds"
    assert (await load_seed(db, data)).changes == []


async def test_a_topic_dropped_from_the_file_is_removed_when_unused(db, consultation):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    dropped = data["topics"].pop(1)["slug"]

    report = await load_seed(db, data)

    assert report.changes[-1] == f"topic {dropped} removed"
    assert "topic brain-drain.position" in report.changes  # the others move up
    slugs = set(await db.scalars(select(Topic.slug).where(Topic.consultation_id == consultation.id)))
    assert dropped not in slugs and len(slugs) == len(TOPICS) - 1


async def test_a_dropped_topic_in_use_is_kept_at_the_end(db, consultation):
    await make_position(db, consultation, author=await make_user(db), topics=("diaspora",))
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["topics"] = [topic for topic in data["topics"] if topic["slug"] != "diaspora"]

    report = await load_seed(db, data)

    assert "topic diaspora removed" not in report.changes
    assert "topic diaspora (in use, kept).position" in report.changes
    kept = await db.scalar(select(Topic).where(Topic.consultation_id == consultation.id, Topic.slug == "diaspora"))
    assert kept is not None and kept.position == len(TOPICS) - 1
    assert (await load_seed(db, data)).changes == []


async def test_topics_are_optional_and_per_consultation(db):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = "without-topics"
    del data["topics"]
    await load_seed(db, data)
    data = copy.deepcopy(data)
    data["consultation"]["slug"] = "own-topics"
    data["topics"] = [{"slug": "remittances", "labels": {"en": "Money sent home"}}]
    await load_seed(db, data)

    without, own = await consultation_by_slug(db, "without-topics"), await consultation_by_slug(db, "own-topics")

    assert without is not None and without.topics == []
    assert own is not None and [(t.slug, t.labels["en"]) for t in own.topics] == [("remittances", "Money sent home")]


@pytest.mark.parametrize(
    ("topics", "problem"),
    [
        ([{"slug": "Remittances", "labels": {"en": "Remittances"}}], "lowercase"),
        ([{"slug": "a" * 61, "labels": {"en": "Long"}}], "lowercase"),
        ([{"slug": "gender", "labels": {"nl": "Vrouwen"}}], "`en`"),
        ([{"slug": "gender", "labels": {"en": "A"}}, {"slug": "gender", "labels": {"en": "B"}}], "not unique"),
    ],
)
async def test_a_bad_vocabulary_is_refused(db, topics, problem):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["topics"] = topics
    with pytest.raises(SeedError, match=problem):
        await load_seed(db, data)
