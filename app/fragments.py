"""Rendered HTML fragments kept in the database, so every worker shares them.

The first page of a key message's discussion is the hottest thing the site serves: it is
rendered once per (key message, locale, what the viewer may do) and reused until the
discussion changes. A fragment is valid only for the version it was rendered at:

- the key message's `discussion_version` (the whole list), bumped in the same transaction
  as every write that changes what its threads show; its tally, amendments and quotes
  versions and each thread's version (app.discussion.thread_versions), bumped by triggers
  only by the writes that change them;
- a signature of the templates and translation catalogues, so a deploy never serves
  fragments rendered by older code.

Anything else that changes how existing contributions look (a person renamed or erased, an
organisation renamed) must call clear_fragments(). Contributions themselves are stored one
by one under a digest of their content (app/discussion/web/stored_articles.py), which no
change needs to clear. The table is derived data: deleting its rows loses nothing."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, String, Text, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.background import BackgroundTask
from starlette.responses import Response

from app.db import Base, insert_into, utcnow
from app.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


class RenderedFragment(Base):
    __tablename__ = "rendered_fragments"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    html: Mapped[str] = mapped_column(Text)
    rendered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@cache
def code_signature() -> str:
    """Changes whenever a template, a compiled catalogue or any application module changes,
    so a deployment never serves fragments rendered by older code. All of app/ is signed, not
    only the discussion: the fragments' code reaches into text, consultation and security
    modules, and a list of folders would not follow the files when they move."""
    digest = hashlib.sha256()
    for path in sorted(signed_files()):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def signed_files() -> list[Path]:
    """The files whose bytes make the code signature."""
    return [
        *(PROJECT_ROOT / "templates").rglob("*.html"),
        *(PROJECT_ROOT / "app" / "locale").rglob("*.mo"),
        *(PROJECT_ROOT / "app").rglob("*.py"),
    ]


#: Keys of fragments addressed by their content (a digest of everything they are made of,
#: the code signature included): they never go stale, so clear_fragments keeps them.
CONTENT_ADDRESSED = "content:"


def fragment_version(*parts: object) -> str:
    return ".".join([*(str(part) for part in parts), code_signature()])


async def cached_fragments(db: AsyncSession, wanted: dict[str, str]) -> dict[str, str]:
    """The HTML of each wanted key whose stored version matches; misses are left out."""
    rows = await db.execute(
        select(RenderedFragment.key, RenderedFragment.version, RenderedFragment.html).where(
            RenderedFragment.key.in_(wanted)
        )
    )
    return {key: html for key, version, html in rows if wanted[key] == version}


def _inserting_or_replacing(db: AsyncSession, rows: list[dict[str, Any]]) -> Any:
    """INSERT of `rows` that replaces a fragment already stored under the same key."""
    statement = insert_into(db, RenderedFragment).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[RenderedFragment.key],
        set_={
            "version": statement.excluded.version,
            "html": statement.excluded.html,
            "rendered_at": statement.excluded.rendered_at,
        },
    )


async def store_fragments(db: AsyncSession, fragments: dict[str, tuple[str, str]]) -> None:
    """Insert or replace fragments (key -> (version, html)) and commit.

    A failure (another worker writing the same key, a busy database) only costs the next
    reader a re-render, so it is logged and rolled back, never raised."""
    if not fragments:
        return
    rows = [{"key": k, "version": v, "html": h, "rendered_at": utcnow()} for k, (v, h) in fragments.items()]
    statement = _inserting_or_replacing(db, rows)
    try:
        await db.execute(statement)
        await db.commit()
    except SQLAlchemyError:
        logger.warning("could not store rendered fragments", exc_info=True)
        await db.rollback()


def store_after_sending(response: Response, db: AsyncSession, fragments: dict[str, tuple[str, str]]) -> Response:
    """Store `fragments` once `response` has been sent: the reader who rendered them does
    not wait for the write (a commit, on SQLite behind the write lock). Readers arriving in
    between render them again, as they would if storing failed. The request's session is
    still open then: it closes when the whole request, this task included, is done."""
    if fragments:
        response.background = BackgroundTask(store_fragments, db, fragments)
    return response


#: The row clear_fragments leaves: when stored pages last went stale all at once (a name or
#: a badge changed), which pages' validators include (app.web.conditional).
CLEARED_KEY = "fragments:cleared"


async def clear_fragments(db: AsyncSession) -> None:
    """Forget every fragment rendered for a version (pages' lists, tallies, texts), after a
    change no version counts (a person erased, an organisation renamed or verified), and
    date it. Fragments addressed by their content stay: a changed content has another key."""
    await db.execute(delete(RenderedFragment).where(~RenderedFragment.key.startswith(CONTENT_ADDRESSED)))
    now = utcnow()
    row = {"key": CLEARED_KEY, "version": now.isoformat(), "html": "", "rendered_at": now}
    # Two clearings at once: the second waits for the first, then overwrites its row.
    await db.execute(_inserting_or_replacing(db, [row]))


async def fragments_cleared_at(db: AsyncSession) -> datetime | None:
    """When clear_fragments last ran (None: never)."""
    cleared: datetime | None = await db.scalar(
        select(RenderedFragment.rendered_at).where(RenderedFragment.key == CLEARED_KEY)
    )
    return cleared


async def prune_fragments(db: AsyncSession, *, older_than: timedelta) -> int:
    """Delete fragments rendered longer ago than `older_than`: content-addressed ones whose
    content changed are never asked for again and would pile up. A pruned fragment still in
    use costs its next reader one render. The date of the last clearing stays (validators
    read it). Returns how many were deleted."""
    result = await db.execute(
        delete(RenderedFragment).where(
            RenderedFragment.rendered_at < utcnow() - older_than, RenderedFragment.key != CLEARED_KEY
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


T = TypeVar("T")

#: Renders under way in this worker, by what they render (see render_once).
_in_flight: dict[tuple[str, ...], asyncio.Future[Any]] = {}


async def render_once(key: tuple[str, ...], render: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
    """Run `render`, unless a render of the same `key` is already under way in this worker:
    then wait for it and take its result. Returns (result, whether it was rendered here,
    so it is stored by this request only).

    Right after a write, every reader of a busy page misses the store at once; without this
    each would build the same fragments, and on SQLite each would then queue for the write
    lock to store them. Per worker only, and holding nothing once the render ends: workers
    still share rendered fragments through the database. If the first render fails (or its
    reader goes away), those waiting render for themselves."""
    running = _in_flight.get(key)
    if running is not None:
        result = await asyncio.shield(running)
        if result is not None:
            return result, False
        return await render(), True
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    _in_flight[key] = future
    try:
        result = await render()
    except BaseException:
        future.set_result(None)
        raise
    finally:
        _in_flight.pop(key, None)
    future.set_result(result)
    return result, True
