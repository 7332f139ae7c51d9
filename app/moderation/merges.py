"""Merging a duplicate thread into another: the merged thread stays readable, says where the
discussion continues and takes no new replies. Logged like every moderation decision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC, is_listed_for
from app.i18n import _
from app.moderation.models import ModerationAction, ThreadMerge
from app.moderation.services import (
    ModerationError,
    consultation_of,
    contribution_number,
    record_decision,
    validate_reason,
)


def thread_number(text: str) -> int:
    """The thread a moderator named, by its number or the address of its page."""
    number = contribution_number(text)
    if number is None:
        raise ModerationError("into", _("Give the number or the address of the thread where the discussion goes on."))
    return number


async def merged_into(db: AsyncSession, contribution: Contribution) -> int | None:
    """The thread where the discussion of this contribution's thread continues, if merged."""
    root = contribution.thread_root_id or contribution.id
    into: int | None = await db.scalar(select(ThreadMerge.into_id).where(ThreadMerge.root_id == root))
    return into


async def merge_thread(
    db: AsyncSession, *, moderator: User, root: Contribution, into_id: int, reason: str
) -> ThreadMerge | None:
    """Merge the thread started by `root` into the thread started by `into_id`, of the same key
    message; None (nothing logged) when it is merged already, also by another moderator a
    moment before. The other thread must be one every reader may open, and not merged itself
    (it would take no replies)."""
    reason = validate_reason(reason)
    if root.parent_id is not None:
        raise ModerationError("into", _("Only a whole thread, from its first contribution, can be merged."))
    into = await db.get(Contribution, into_id)
    if into is None or into.key_message_id != root.key_message_id or into.parent_id is not None or into.id == root.id:
        raise ModerationError("into", _("Choose another thread of the same key message, by its first contribution."))
    if into.status is not ContributionStatus.VISIBLE or not is_listed_for(into.publication, PUBLIC):
        raise ModerationError("into", _("Not every reader may follow the discussion there: choose another thread."))
    if await merged_into(db, into) is not None:
        raise ModerationError("into", _("That thread is merged into another itself: choose the one it continues in."))
    merge = ThreadMerge(root_id=root.id, into_id=into.id, merged_by_id=moderator.id)
    try:
        async with db.begin_nested():  # a thread is merged once (unique root)
            db.add(merge)
            await db.flush()
    except IntegrityError:
        return None
    await record_decision(
        db,
        moderator=moderator,
        action=ModerationAction.MERGE,
        reason=reason,
        consultation_id=await consultation_of(db, root),
        contribution_id=root.id,
        details={"into": into.id},
    )
    await mark_discussion_changed(db, root.key_message_id)
    return merge
