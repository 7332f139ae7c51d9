"""The fragment store's upkeep: clearing keeps what is addressed by its content, pruning
drops whatever was rendered too long ago; readers who miss the same fragment at once in one
worker wait for one render."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.fragments import (
    CLEARED_KEY,
    CONTENT_ADDRESSED,
    RenderedFragment,
    clear_fragments,
    prune_fragments,
    render_once,
)


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


class SlowRender:
    """A render that takes a while (it waits for `go`) and counts how often it runs."""

    def __init__(self, result: str = "<ol></ol>", *, fail: bool = False) -> None:
        self.runs, self.result, self.fail, self.go = 0, result, fail, asyncio.Event()

    async def __call__(self) -> str:
        self.runs += 1
        await self.go.wait()
        if self.fail:
            self.fail = False  # only the first one fails
            raise RuntimeError("the template broke")
        return f"{self.result} #{self.runs}"


async def test_readers_arriving_together_wait_for_one_render():
    render = SlowRender()
    readers = [asyncio.create_task(render_once(("km:1", "v7"), render)) for _ in range(5)]
    await asyncio.sleep(0)
    render.go.set()
    results = await asyncio.gather(*readers)
    assert render.runs == 1
    assert [html for html, _here in results] == ["<ol></ol> #1"] * 5
    assert [here for _html, here in results] == [True, False, False, False, False]  # one stores it


async def test_other_keys_and_later_readers_render_for_themselves():
    render = SlowRender()
    render.go.set()
    first = await render_once(("km:1", "v7"), render)
    other_version = await render_once(("km:1", "v8"), render)
    again = await render_once(("km:1", "v7"), render)  # nothing under way: the store decides, not this
    assert (first, other_version, again) == (("<ol></ol> #1", True), ("<ol></ol> #2", True), ("<ol></ol> #3", True))


async def test_when_the_first_render_fails_the_others_render_for_themselves():
    render = SlowRender(fail=True)
    first = asyncio.create_task(render_once(("km:1", "v7"), render))
    waiting = asyncio.create_task(render_once(("km:1", "v7"), render))
    await asyncio.sleep(0)
    render.go.set()
    with pytest.raises(RuntimeError, match="the template broke"):
        await first
    assert await waiting == ("<ol></ol> #2", True)
