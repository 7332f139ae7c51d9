"""The fragment store's upkeep: clearing keeps what is addressed by its content, pruning
drops whatever was rendered too long ago."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.fragments import CLEARED_KEY, CONTENT_ADDRESSED, RenderedFragment, clear_fragments, prune_fragments


async def keys(db) -> set[str]:
    return set(await db.scalars(select(RenderedFragment.key)))


async def test_clearing_keeps_content_addressed_fragments(db):
    db.add_all(
        [
            RenderedFragment(key="km:1:en:threads", version="3.abc", html="<ol></ol>"),
            RenderedFragment(key=f"{CONTENT_ADDRESSED}article:0f", version="article", html="<article></article>"),
        ]
    )
    await db.flush()
    await clear_fragments(db)
    assert await keys(db) == {f"{CONTENT_ADDRESSED}article:0f", CLEARED_KEY}


async def test_pruning_deletes_what_was_rendered_before_the_cutoff(db):
    now = utcnow()
    db.add_all(
        [
            RenderedFragment(key=f"{CONTENT_ADDRESSED}old", version="a", html="", rendered_at=now - timedelta(days=31)),
            RenderedFragment(key="km:2:en:tally", version="1", html="", rendered_at=now - timedelta(days=40)),
            RenderedFragment(
                key=f"{CONTENT_ADDRESSED}recent", version="a", html="", rendered_at=now - timedelta(days=29)
            ),
        ]
    )
    await db.flush()
    assert await prune_fragments(db, older_than=timedelta(days=30)) == 2
    assert await keys(db) == {f"{CONTENT_ADDRESSED}recent"}
