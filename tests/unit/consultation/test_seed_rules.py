"""A consultation's house rules come from its seed file, checked like its topics."""

from __future__ import annotations

import copy

import pytest

from app.consultation.models import PreModeration
from app.consultation.seed import SeedError, load_seed, read_seed_file
from app.consultation.services import consultation_by_slug
from app.i18n import current_locale
from app.moderation.rules import chosen_rule, rules_of
from app.moderation.services import ModerationError
from tests.conftest import SEED_FILE

RULE = {"ref": "R1", "title": {"en": "Be kind"}, "text": {"en": "No insults."}}


async def test_the_seed_consultation_has_its_rules_in_english_and_dutch(consultation):
    rules = rules_of(consultation)
    assert [rule.ref for rule in rules] == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert rules[0].title == "Respect other participants"
    token = current_locale.set("nl")
    try:
        assert rules_of(consultation)[0].title == "Respecteer andere deelnemers"
        assert rules_of(consultation)[0].text.startswith("Geen beledigingen")
    finally:
        current_locale.reset(token)


def test_a_chosen_rule_must_be_the_consultations(consultation):
    assert chosen_rule(consultation, "") is None
    assert chosen_rule(consultation, "R4") == "R4"
    for ref in ("R99", "r1", "R1 ", "\x00"):
        with pytest.raises(ModerationError):
            chosen_rule(consultation, ref)


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ([{**RULE, "ref": "R 1"}], "letters, digits"),
        ([{**RULE, "ref": "x" * 41}], "letters, digits"),
        ([{**RULE, "ref": 7}], "letters, digits"),
        (["R1"], "letters, digits"),
        ([{**RULE, "title": {"nl": "Wees aardig"}}], "`title` needs"),
        ([{**RULE, "text": {"en": "  "}}], "`text` needs"),
        ([RULE, {**RULE, "title": {"en": "Again"}}], "not unique"),
    ],
)
async def test_bad_rules_are_refused(db, rules, problem):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["moderation_rules"] = rules
    with pytest.raises(SeedError, match=problem):
        await load_seed(db, data)


async def test_pre_moderation_comes_from_the_seed_file_and_a_site_choice_then_stands(db):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = "held-consultation"
    data["premoderation"] = "unverified"
    await load_seed(db, data)
    consultation = await consultation_by_slug(db, "held-consultation")
    assert consultation is not None and consultation.premoderation is PreModeration.UNVERIFIED
    consultation.premoderation = PreModeration.NONE  # an administrator's choice on the site
    data["premoderation"] = "first_contribution"
    report = await load_seed(db, data)
    assert consultation.premoderation is PreModeration.NONE
    assert any("premoderation kept as 'none'" in note for note in report.notes)


@pytest.mark.parametrize("value", ["all", "", None, 3, "NONE"])
async def test_an_unknown_pre_moderation_is_refused(db, value):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["premoderation"] = value
    with pytest.raises(SeedError, match="premoderation"):
        await load_seed(db, data)


async def test_publishing_what_we_heard_comes_from_the_seed_file_and_a_site_choice_then_stands(db):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["consultation"]["slug"] = "heard-consultation"
    data["publishes_outcome"] = True
    await load_seed(db, data)
    consultation = await consultation_by_slug(db, "heard-consultation")
    assert consultation is not None and consultation.publishes_outcome is True
    consultation.publishes_outcome = False  # an administrator's choice on the site
    report = await load_seed(db, data)
    assert consultation.publishes_outcome is False
    assert any("publishes_outcome kept as False" in note for note in report.notes)


async def test_the_seed_consultation_does_not_publish_what_we_heard(consultation):
    assert consultation.publishes_outcome is False


@pytest.mark.parametrize("value", ["yes", "true", 1, None, []])
async def test_publishing_what_we_heard_is_a_boolean(db, value):
    data = copy.deepcopy(read_seed_file(SEED_FILE))
    data["publishes_outcome"] = value
    with pytest.raises(SeedError, match="publishes_outcome"):
        await load_seed(db, data)
