"""Summaries of long threads, written by moderators and signed by the moderation team.

Every version is kept. An edit names the version it started from; when another moderator
saved a newer one meanwhile, the edit is refused with the current text (SummaryConflict),
never written over it. The check is one conditional UPDATE (or the unique thread for the
first version), so it holds between workers and on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.db import utcnow
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution
from app.i18n import _
from app.moderation.curation import iso_utc
from app.moderation.models import ThreadSummary, ThreadSummaryVersion
from app.moderation.services import ModerationError
from app.text.markdown import rendered_markdown
from app.text.safe import clean_text

#: A summary is short: a few paragraphs a reader takes in before the thread.
MAX_SUMMARY_CHARS = 4000


class SummaryConflict(Exception):
    """Another moderator saved a version after the one this edit started from."""

    def __init__(self, current: ThreadSummary) -> None:
        super().__init__(current.version)
        self.current = current


async def summary_of(db: AsyncSession, root_id: int) -> ThreadSummary | None:
    found: ThreadSummary | None = await db.scalar(select(ThreadSummary).where(ThreadSummary.root_id == root_id))
    return found


async def summary_versions(db: AsyncSession, summary_id: int) -> list[ThreadSummaryVersion]:
    """Every version of a summary, newest first, with who wrote it (for moderators' eyes)."""
    return list(
        (
            await db.scalars(
                select(ThreadSummaryVersion)
                .options(joinedload(ThreadSummaryVersion.written_by))
                .where(ThreadSummaryVersion.summary_id == summary_id)
                .order_by(ThreadSummaryVersion.version.desc())
            )
        ).all()
    )


def validate_summary(body: str) -> str:
    body = clean_text(body).strip()
    if not body:
        raise ModerationError("body", _("Write the summary before saving it."))
    if len(body) > MAX_SUMMARY_CHARS:
        raise ModerationError(
            "body",
            _(
                "The summary is %(length)s characters long; keep it under %(limit)s.",
                length=len(body),
                limit=MAX_SUMMARY_CHARS,
            ),
        )
    return body


async def save_summary(
    db: AsyncSession, *, moderator: User, root: Contribution, body: str, edited_version: int
) -> ThreadSummary | None:
    """Save a new version of the thread's summary, started from `edited_version` (0: there was
    none). Returns None when the text is the current one (no version is added); raises
    SummaryConflict when another version was saved since `edited_version`."""
    if root.parent_id is not None:
        raise ModerationError("body", _("Only a thread, from its first contribution, has a summary."))
    body = validate_summary(body)
    current = await summary_of(db, root.id)
    if current is not None and current.version == edited_version and current.body_source == body:
        return None
    html = await rendered_markdown(body)
    summary = await (
        _first(db, root, body, html) if edited_version == 0 else _next(db, root, body, html, edited_version)
    )
    db.add(
        ThreadSummaryVersion(
            summary_id=summary.id,
            version=summary.version,
            body_source=body,
            body_html=html,
            written_by_id=moderator.id,
        )
    )
    await db.flush()
    # The thread page's validators follow the key message's version (app.web.conditional).
    await mark_discussion_changed(db, root.key_message_id)
    return summary


async def _first(db: AsyncSession, root: Contribution, body: str, html: str) -> ThreadSummary:
    summary = ThreadSummary(
        root_id=root.id, key_message_id=root.key_message_id, version=1, body_source=body, body_html=html
    )
    try:
        async with db.begin_nested():  # one summary per thread: a second first version loses
            db.add(summary)
            await db.flush()
    except IntegrityError:
        raise SummaryConflict(await _current(db, root.id)) from None
    return summary


async def _next(db: AsyncSession, root: Contribution, body: str, html: str, edited_version: int) -> ThreadSummary:
    moved = await db.execute(
        update(ThreadSummary)
        .where(ThreadSummary.root_id == root.id, ThreadSummary.version == edited_version)
        .values(version=ThreadSummary.version + 1, body_source=body, body_html=html, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        raise SummaryConflict(await _current(db, root.id))
    return await _current(db, root.id)


async def _current(db: AsyncSession, root_id: int) -> ThreadSummary:
    summary = await db.scalar(
        select(ThreadSummary).where(ThreadSummary.root_id == root_id).execution_options(populate_existing=True)
    )
    if summary is None:  # an edit of a version that no longer exists (the thread was deleted)
        raise ModerationError("body", _("This thread has no summary any more."))
    return summary


async def export_summaries(db: AsyncSession, key_message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every thread's current summary, JSON-native, by key message (the export, app.export):
    signed by the moderation team, so no writer is named."""
    rows = await db.scalars(
        select(ThreadSummary).where(ThreadSummary.key_message_id.in_(key_message_ids)).order_by(ThreadSummary.root_id)
    )
    exported: dict[int, list[dict[str, Any]]] = {}
    for summary in rows:
        record = {
            "thread_id": summary.root_id,
            "summary": summary.body_source,
            "version": summary.version,
            "written_at": iso_utc(summary.created_at),
            "edited_at": iso_utc(summary.updated_at) if summary.version > 1 else None,
        }
        exported.setdefault(summary.key_message_id, []).append(record)
    return exported
