"""Hiding and restoring: reasons required, only real transitions logged."""

from __future__ import annotations

import pytest

from app.discussion.models import ContributionStatus
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, moderation_history, set_visibility
from app.security.roles import Role
from tests.factories import make_position, make_user


async def test_hide_and_restore_are_logged_with_reason_and_tag(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db))
    assert await set_visibility(
        db,
        moderator=moderator,
        contribution=contribution,
        action=ModerationAction.HIDE,
        reason="Insults another participant.",
    )
    assert contribution.status is ContributionStatus.HIDDEN
    assert contribution.moderation_reason == "Insults another participant."
    assert not await set_visibility(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.HIDE, reason="Again, the same."
    )
    assert await set_visibility(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.RESTORE, reason="Author apologised."
    )
    assert contribution.moderation_reason is None
    history = await moderation_history(db, contribution.id)
    assert [(e.action, e.tag, e.moderator_id) for e in history] == [
        (ModerationAction.HIDE, "moderation:contribution:hide", moderator.id),
        (ModerationAction.RESTORE, "moderation:contribution:restore", moderator.id),
    ]


@pytest.mark.parametrize("reason", ["", "   ", "no", "x" * 1001])
async def test_a_reason_is_required_and_bounded(db, consultation, reason):
    contribution = await make_position(db, consultation, author=await make_user(db))
    with pytest.raises(ModerationError):
        await set_visibility(
            db,
            moderator=await make_user(db, role=Role.MODERATOR),
            contribution=contribution,
            action=ModerationAction.HIDE,
            reason=reason,
        )
    assert contribution.status is ContributionStatus.VISIBLE
