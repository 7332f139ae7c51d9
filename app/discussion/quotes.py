"""Anchored comments: a contribution quotes a passage of the key message it is on.

Offsets are into the key message text without its footnote markers
(app.text.footnotes.strip_footnote_markers), which is what a reader selects and what is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage
from app.discussion.errors import ContributionError
from app.discussion.list_order import SortOrder, after_cursor, encode_cursor, ordering, tagged_with
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import attach_extras, listing, to_view
from app.discussion.publication import Audience, listed_for
from app.discussion.thread_read import Node, ThreadPage
from app.i18n import _
from app.text.footnotes import strip_footnote_markers

#: Shorter passages ("de", "en") say nothing and would be found in the wrong place.
MIN_QUOTE_CHARS = 3


@dataclass(frozen=True)
class Quote:
    text: str
    #: Offset of the passage in the key message text without footnote markers.
    start: int


def validated_quote(text: str, message: KeyMessage, start: int | None = None) -> Quote | None:
    """The passage must appear word for word in the key message; empty means no quote.
    A passage found more than once is taken where the reader selected it (`start`, sent by
    the page's script) when it is really there, else at its first occurrence."""
    passage = text.strip()
    if not passage:
        return None
    if len(passage) < MIN_QUOTE_CHARS:
        raise ContributionError(
            "quote_text", _("Quote at least %(n)s characters of the key message.", n=MIN_QUOTE_CHARS)
        )
    plain = strip_footnote_markers(message.text)
    if start is not None and plain[start : start + len(passage)] == passage:
        return Quote(passage, start)
    found = plain.find(passage)
    if found < 0:
        raise ContributionError("quote_text", _("The quoted passage must be copied exactly from the key message text."))
    return Quote(passage, found)


@dataclass(frozen=True)
class QuotedPassage:
    """Characters [start, end) of a key message quoted by `count` contributions; their
    ranges overlap, so they are shown as one highlight."""

    start: int
    end: int
    count: int
    #: The one contribution quoting it, when there is only one.
    contribution_id: int | None = None


def _quoted(key_message_id: int, audience: Audience) -> ColumnElement[bool]:
    """Contributions whose quote the audience may see: listed for them and not removed."""
    return and_(
        Contribution.key_message_id == key_message_id,
        Contribution.quote_start.is_not(None),
        Contribution.status == ContributionStatus.VISIBLE,
        listed_for(audience),
    )


async def quoted_passages(db: AsyncSession, key_message_id: int, audience: Audience) -> list[QuotedPassage]:
    """The passages to highlight, in one aggregate query: contributions quoting the same
    range are counted together, so thousands of contributions make a handful of rows."""
    length = func.length(Contribution.quote_text)
    rows = await db.execute(
        select(Contribution.quote_start, length, func.count(), func.min(Contribution.id))
        .where(_quoted(key_message_id, audience))
        .group_by(Contribution.quote_start, length)
    )
    ranges = [QuotedPassage(start, start + size, count, identifier) for start, size, count, identifier in rows]
    return merged(ranges)


def merged(ranges: Iterable[QuotedPassage]) -> list[QuotedPassage]:
    """Overlapping ranges become one passage quoted by all their contributions (one
    highlight, linking to the passage page that lists them); ranges that only touch stay
    apart. Each contribution is in exactly one range, so counts add up."""
    passages: list[QuotedPassage] = []
    for passage in sorted(ranges, key=lambda p: (p.start, p.end)):
        if passages and passage.start < passages[-1].end:
            last = passages.pop()
            passage = QuotedPassage(last.start, max(last.end, passage.end), last.count + passage.count)
        elif passage.count != 1:
            passage = QuotedPassage(passage.start, passage.end, passage.count)
        passages.append(passage)
    return passages


def quoting(start: int, end: int) -> ColumnElement[bool]:
    """SQL condition: the contribution's quote shares at least one character with [start, end)."""
    return and_(Contribution.quote_start < end, Contribution.quote_start + func.length(Contribution.quote_text) > start)


async def quoting_contributions(
    db: AsyncSession,
    key_message_id: int,
    passage: tuple[int, int],
    *,
    audience: Audience,
    cursor: str | None,
    page_size: int,
    topic_id: int | None = None,
) -> ThreadPage:
    """A page of the contributions (positions and replies) quoting any part of a passage,
    oldest first, as `audience` may see them; only those tagged with a topic, if given."""
    query = listing(audience).where(_quoted(key_message_id, audience), quoting(*passage))
    if topic_id is not None:
        query = query.where(tagged_with(topic_id))
    if (after := after_cursor(SortOrder.OLDEST, cursor)) is not None:
        query = query.where(after)
    rows = (await db.execute(query.order_by(*ordering(SortOrder.OLDEST)).limit(page_size + 1))).all()
    views = [to_view(row, audience) for row in rows[:page_size]]
    await attach_extras(db, views)
    next_cursor = encode_cursor(SortOrder.OLDEST, views[-1]) if len(rows) > page_size else None
    return ThreadPage([Node(view) for view in views], next_cursor)


async def count_quoting(
    db: AsyncSession, key_message_id: int, passage: tuple[int, int], audience: Audience, topic_id: int | None = None
) -> int:
    condition = [_quoted(key_message_id, audience), quoting(*passage)]
    if topic_id is not None:
        condition.append(tagged_with(topic_id))
    total = await db.scalar(select(func.count()).select_from(Contribution).where(*condition))
    return total or 0
