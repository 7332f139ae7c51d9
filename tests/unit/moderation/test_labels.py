"""Every decision has its words: on a moderator's button and in the public log. A decision
added without them would fail a page (a missing key) only when someone takes it."""

from __future__ import annotations

from app.moderation.labels import decision_labels, public_decision_labels
from app.moderation.models import ModerationAction


def test_every_decision_is_named_for_moderators_and_for_the_public():
    assert set(decision_labels()) == set(ModerationAction)
    assert set(public_decision_labels()) == set(ModerationAction)
    assert all(label.strip() for label in (*decision_labels().values(), *public_decision_labels().values()))
