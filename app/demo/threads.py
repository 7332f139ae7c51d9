"""The shape of the demo discussion, planned in memory: which key message each contribution
is on, who wrote it and when, what it says, and which earlier contribution it answers.

A million contributions are planned in seconds, so the hot loop draws from precomputed
cumulative weights (bisect) instead of rebuilding weight lists per draw, and bodies come
from a pool assembled and rendered once per run: rendering Markdown for every contribution
cost more than inserting it."""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Generic, NamedTuple, TypeVar

from app.demo.vocabulary import DEPTH_WEIGHTS, LIST_LEADS, POSITION_WEIGHTS, REPLY_OPENERS, SENTENCES
from app.text.markdown import render_markdown

K = TypeVar("K")
RECENT_PARENTS = 40  #: replies answer recent contributions, so conversations cluster
BODY_POOL = 1000  #: distinct bodies of each kind (positions, replies) in one run at most


class Picker(Generic[K]):
    """Draws one of `weights`' keys in proportion to its weight, as random.choices does,
    with the cumulative weights computed once."""

    def __init__(self, values: Sequence[K], weights: Iterable[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.values) - 1

    @classmethod
    def of(cls, weights: Mapping[K, float]) -> Picker[K]:
        return cls(list(weights), weights.values())

    def __call__(self, rng: random.Random) -> K:
        return self.values[bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


class Planned(NamedTuple):
    """One contribution to be: indexes point into the plan (parent, root), the people and
    the body pool."""

    key_message_id: int
    author: int  #: index into the people
    created_at: datetime
    body: int  #: index into the BodyPool
    position: str | None = None
    parent: int | None = None  #: index into the plan, always an earlier contribution
    root: int | None = None
    depth: int = 0


class BodyPool:
    """Markdown bodies (paragraphs, a bold lead, lists; replies may open with a reaction)
    and their HTML, rendered once each."""

    def __init__(self, rng: random.Random, positions: int, replies: int) -> None:
        self.sources = [_body(rng, reply=False) for _ in range(positions)]
        self.first_reply = len(self.sources)
        self.sources += [_body(rng, reply=True) for _ in range(replies)]
        self.html = [render_markdown(source) for source in self.sources]

    def position(self, rng: random.Random) -> int:
        return int(rng.random() * self.first_reply)

    def reply(self, rng: random.Random) -> int:
        return self.first_reply + int(rng.random() * (len(self.sources) - self.first_reply))


def _body(rng: random.Random, *, reply: bool) -> str:
    roll = rng.random()
    if roll < 0.12:
        items = "\n".join(f"- {s}" for s in rng.sample(SENTENCES, rng.randint(2, 4)))
        body = f"{rng.choice(LIST_LEADS)}\n\n{items}"
    else:
        sentences = rng.sample(SENTENCES, rng.randint(1, 4))
        if roll < 0.25:
            sentences[0] = f"**{sentences[0]}**"
        cut = rng.randint(1, len(sentences))
        body = " ".join(sentences[:cut]) + ("\n\n" + " ".join(sentences[cut:]) if sentences[cut:] else "")
    opener = rng.choice(REPLY_OPENERS) if reply else ""
    return f"{opener} {body}" if opener and roll >= 0.12 else body


def timeline(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """`count` increasing moments between `start` and `end`, to the millisecond."""
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=round(span * f, 3)) for f in sorted(rng.random() for _ in range(count))]


def plan_threads(
    rng: random.Random,
    moments: list[datetime],
    key_message_ids: list[int],
    positions: list[str],
    people: int,
    reply_share: float,
) -> tuple[list[Planned], BodyPool]:
    """One Planned per moment: activity follows a Pareto law (a few people write most),
    some key messages draw more than others, replies answer a recent contribution on the
    same key message, at a drawn depth (the deepest level that exists below it otherwise)."""
    on_message = Picker(key_message_ids, [rng.uniform(0.3, 3.0) for _ in key_message_ids])
    author = Picker(range(people), [rng.paretovariate(1.2) for _ in range(people)])
    position = Picker.of({p: POSITION_WEIGHTS.get(p, 10) for p in positions})
    depth = Picker.of(DEPTH_WEIGHTS)
    pool = min(len(moments), BODY_POOL)
    bodies = BodyPool(rng, pool, pool if reply_share > 0 else 0)
    by_depth: dict[tuple[int, int], list[int]] = defaultdict(list)
    plan: list[Planned] = []
    for index, moment in enumerate(moments):
        message_id, writer = on_message(rng), author(rng)
        parent = _reply_parent(rng, by_depth, message_id, depth(rng)) if rng.random() < reply_share else None
        if parent is None:
            item = Planned(message_id, writer, moment, bodies.position(rng), position(rng))
        else:
            above = plan[parent]
            root = parent if above.root is None else above.root
            item = Planned(message_id, writer, moment, bodies.reply(rng), None, parent, root, above.depth + 1)
        by_depth[(message_id, item.depth)].append(index)
        plan.append(item)
    return plan, bodies


def _reply_parent(
    rng: random.Random, by_depth: dict[tuple[int, int], list[int]], key_message_id: int, drawn: int
) -> int | None:
    """An earlier contribution on the same key message, one level above the drawn depth."""
    for level in range(drawn - 1, -1, -1):
        if candidates := by_depth.get((key_message_id, level)):
            recent = min(len(candidates), RECENT_PARENTS)
            return candidates[-1 - int(rng.random() * recent)]
    return None
