"""A consultation's house rules come from its seed file, checked like its topics."""

from __future__ import annotations

import copy

import pytest

from app.consultation.seed import SeedError, load_seed, read_seed_file
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
