"""Highlights: contributions the moderators choose for a key message, with a reason readers
see. Pinning and unpinning are logged like every moderation decision; only what everyone may
read can be pinned, and a highlight whose contribution is later hidden or withdrawn stops
showing (it comes back if the contribution is restored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.consultation.phases import as_utc
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC, author_name, is_listed_for, listed_for
from app.i18n import _
from app.moderation.models import Highlight, ModerationAction
from app.moderation.services import ModerationError, consultation_of, record_decision, validate_reason

#: Highlights are a short choice, not a second list: at most this many per key message.
MAX_HIGHLIGHTS = 10


@dataclass(frozen=True, slots=True)
class ShownHighlight:
    """A highlight as readers see it: what was chosen, why, and where to read it."""

    contribution_id: int
    #: The page of its conversation: the thread's start, or itself when it starts one.
    thread_id: int
    position: str | None
    #: The contribution's sanitised HTML (the page shows a plain-text excerpt of it).
    body_html: str
    #: As the public may read it (None: withheld, or the author erased their account).
    author: str | None
    reason: str
    pinned_at: datetime


def _shown() -> list[object]:
    """The conditions under which a highlight is shown: its contribution is visible to all."""
    return [
        Contribution.status == ContributionStatus.VISIBLE,
        listed_for(PUBLIC),
    ]


async def highlights_of(db: AsyncSession, key_message_id: int) -> list[ShownHighlight]:
    """The key message's highlights readers see, in the order they were pinned: one query on
    the highlights' index, whatever the size of the discussion."""
    start = aliased(Contribution)
    rows = await db.execute(
        select(Highlight, Contribution, start.publication)
        .join(Contribution, Contribution.id == Highlight.contribution_id)
        .outerjoin(start, start.id == Contribution.thread_root_id)
        .options(joinedload(Contribution.author))
        .where(Highlight.key_message_id == key_message_id, *_shown())  # type: ignore[arg-type]
        .order_by(Highlight.pinned_at, Highlight.id)
    )
    return [
        ShownHighlight(
            contribution_id=contribution.id,
            # Its thread's page when everyone may open it (as app.discussion.web.loaders.thread_url).
            thread_id=contribution.thread_root_id
            if contribution.thread_root_id and is_listed_for(start_publication, PUBLIC)
            else contribution.id,
            position=contribution.position,
            body_html=contribution.body_html,
            author=author_name(contribution, PUBLIC),
            reason=highlight.reason,
            pinned_at=highlight.pinned_at,
        )
        for highlight, contribution, start_publication in rows.all()
    ]


async def highlight_of(db: AsyncSession, contribution_id: int) -> Highlight | None:
    """The contribution's highlight, shown or not (its moderation page says which)."""
    found: Highlight | None = await db.scalar(select(Highlight).where(Highlight.contribution_id == contribution_id))
    return found


async def pin(db: AsyncSession, *, moderator: User, contribution: Contribution, reason: str) -> Highlight | None:
    """Pin the contribution as a highlight of its key message and log it; None (and nothing
    logged) when it is one already, also when another moderator pinned it a moment before.
    Only a visible contribution that everyone may read can be pinned."""
    reason = validate_reason(reason)
    if contribution.status is not ContributionStatus.VISIBLE:
        raise ModerationError("reason", _("A hidden or withdrawn contribution cannot be a highlight."))
    if not is_listed_for(contribution.publication, PUBLIC):
        raise ModerationError("reason", _("Its author did not publish this contribution: it cannot be a highlight."))
    if await highlight_of(db, contribution.id) is not None:
        return None
    pinned = await db.scalar(
        select(func.count()).select_from(Highlight).where(Highlight.key_message_id == contribution.key_message_id)
    )
    if (pinned or 0) >= MAX_HIGHLIGHTS:
        raise ModerationError(
            "reason", _("A key message has at most %(n)s highlights: unpin one first.", n=MAX_HIGHLIGHTS)
        )
    highlight = Highlight(
        contribution_id=contribution.id,
        key_message_id=contribution.key_message_id,
        reason=reason,
        pinned_by_id=moderator.id,
    )
    try:
        async with db.begin_nested():  # the unique contribution refuses a second pin
            db.add(highlight)
            await db.flush()
    except IntegrityError:
        return None
    await _log(db, moderator, contribution, ModerationAction.PIN, reason)
    return highlight


async def unpin(db: AsyncSession, *, moderator: User, contribution: Contribution, reason: str) -> bool:
    """Unpin the contribution and log it; False (and nothing logged) when it was not pinned,
    also when another moderator unpinned it a moment before."""
    reason = validate_reason(reason)
    removed = await db.execute(delete(Highlight).where(Highlight.contribution_id == contribution.id))
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    await _log(db, moderator, contribution, ModerationAction.UNPIN, reason)
    return True


async def _log(
    db: AsyncSession, moderator: User, contribution: Contribution, action: ModerationAction, reason: str
) -> None:
    """Log the choice (not a decision on reports: the queue is left as it is) and move the
    key message's version, so no page stored before it is served again (app.fragments)."""
    await record_decision(
        db,
        moderator=moderator,
        action=action,
        reason=reason,
        consultation_id=await consultation_of(db, contribution),
        contribution_id=contribution.id,
    )
    await mark_discussion_changed(db, contribution.key_message_id)


async def export_highlights(db: AsyncSession, key_message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The highlights readers see, JSON-native, by key message (the export, app.export)."""
    rows = await db.execute(
        select(Highlight.key_message_id, Highlight.contribution_id, Highlight.reason, Highlight.pinned_at)
        .join(Contribution, Contribution.id == Highlight.contribution_id)
        .where(Highlight.key_message_id.in_(key_message_ids), *_shown())  # type: ignore[arg-type]
        .order_by(Highlight.pinned_at, Highlight.id)
    )
    exported: dict[int, list[dict[str, Any]]] = {}
    for key_message_id, contribution_id, reason, pinned_at in rows.all():
        record = {"contribution_id": contribution_id, "reason": reason, "pinned_at": iso_utc(pinned_at)}
        exported.setdefault(key_message_id, []).append(record)
    return exported


def iso_utc(moment: datetime) -> str:
    """An instant as the export writes it (ISO 8601 in UTC, to the second)."""
    aware = as_utc(moment)
    assert aware is not None
    return aware.isoformat(timespec="seconds")
