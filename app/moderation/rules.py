"""A consultation's house rules (from its seed file), which moderators cite in decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.consultation.models import Consultation
from app.i18n import _, current_locale
from app.moderation.services import ModerationError


@dataclass(frozen=True)
class Rule:
    ref: str
    title: str
    text: str


def rules_of(consultation: Consultation) -> list[Rule]:
    return rules_from(consultation.moderation_rules)


def rules_from(entries: list[dict[str, Any]]) -> list[Rule]:
    """The rules in the reader's language where the seed file has it, else in English."""
    locale = current_locale.get()
    return [Rule(entry["ref"], _in(entry["title"], locale), _in(entry["text"], locale)) for entry in entries]


def rule_named(consultation: Consultation, ref: str | None) -> Rule | None:
    return next((rule for rule in rules_of(consultation) if rule.ref == ref), None)


def chosen_rule(consultation: Consultation, ref: str) -> str | None:
    """The ref a moderator chose (empty: none), or ModerationError if the consultation has no
    such rule."""
    if not ref:
        return None
    if rule_named(consultation, ref) is None:
        raise ModerationError("rule", _("Choose one of this consultation's rules, or none."))
    return ref


def _in(texts: dict[str, str], locale: str) -> str:
    return texts.get(locale) or texts["en"]
