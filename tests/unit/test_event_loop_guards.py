"""The two checks that keep CPU-heavy work off the event loop bite: every named function is
refused there (tests/conftest.py applies tests.support.CPU_HEAVY to every test), and
LoopWatch counts a callback's CPU time, not the time the loop waited."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support import CPU_HEAVY, loop_watch

__all__ = ["loop_watch"]  # a fixture, imported for pytest


@pytest.mark.parametrize(("owner", "name", "instead"), CPU_HEAVY, ids=[f"{o.__name__}.{n}" for o, n, _ in CPU_HEAVY])
async def test_each_named_cpu_heavy_function_is_refused_on_the_event_loop(owner, name, instead):
    with pytest.raises(AssertionError, match=f"on the event loop: {instead}"):
        getattr(owner, name)()


async def test_the_watch_counts_cpu_held_by_a_callback_not_time_spent_waiting(loop_watch):
    async with loop_watch.watching("busy"):
        started = time.thread_time()
        while time.thread_time() - started < 0.05:  # 50 ms of CPU in one callback
            pass
    async with loop_watch.watching("waiting"):
        await asyncio.sleep(0.05)
    assert set(loop_watch.over(40)) == {"busy"}
    assert loop_watch.longest["waiting"] < 40
