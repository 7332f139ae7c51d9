"""Amendments: the wording of a key message a contribution proposes instead of the original."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage
from app.discussion.errors import ContributionError
from app.discussion.labels import position_label
from app.discussion.list_order import tagged_with
from app.discussion.models import Contribution
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import Audience, listed_for
from app.discussion.supersession import counted
from app.i18n import _
from app.text.footnotes import strip_footnote_markers
from app.web.numbers import parse_id, parse_number

MAX_AMENDMENT_CHARS = 5_000
#: Amendments shown side by side on a key message page; the rest are a link away.
AMENDMENTS_SHOWN = 6


def proposes_wording(consultation: Consultation, position: str | None) -> bool:
    """Whether contributions with this position carry new wording (seed: amendment_positions)."""
    return position is not None and position in consultation.amendment_positions


def _single_spaced(text: str) -> str:
    return " ".join(text.split())


def validated_amendment(text: str, position: str | None, consultation: Consultation, message: KeyMessage) -> str | None:
    """The proposed wording: required for the positions that amend, and different from the key
    message. The form offers the key message's own text to edit, so with other positions that
    text (or an empty box) is dropped; changed wording is refused rather than lost, since it
    most likely means the person forgot to choose the position that amends."""
    wording = _single_spaced(text)
    unchanged = wording == _single_spaced(strip_footnote_markers(message.text))
    if not proposes_wording(consultation, position):
        if wording and not unchanged:
            raise ContributionError("amendment_text", _stray_wording_message(consultation))
        return None
    if not wording:
        raise ContributionError("amendment_text", _("Write the wording you propose for this key message."))
    if len(wording) > MAX_AMENDMENT_CHARS:
        raise ContributionError(
            "amendment_text", _("Keep the proposed wording under %(n)s characters.", n=MAX_AMENDMENT_CHARS)
        )
    if unchanged:
        raise ContributionError(
            "amendment_text", _("Your wording is the same as the key message. Change the words you want amended.")
        )
    return wording


def _stray_wording_message(consultation: Consultation) -> str:
    return _(
        "You changed the wording of the key message, but only %(positions)s proposes new wording. "
        "Choose it to propose your wording, or empty the wording box.",
        positions=amending_positions_label(consultation),
    )


def amending_positions_label(consultation: Consultation) -> str:
    """The positions that amend, for hints and errors: “Support with amendments”."""
    return _(" or ").join(f"“{position_label(p)}”" for p in consultation.amendment_positions)


@dataclass
class AmendmentSummary:
    shown: list[ContributionView]  #: the most endorsed first
    total: int


@dataclass
class AmendmentPage:
    amendments: list[ContributionView]
    next_cursor: str | None
    total: int


def _amendments_of(consultation: Consultation, message: KeyMessage, audience: Audience) -> tuple[Any, ...]:
    """SQL conditions: the visible amendments to a key message this audience may read, each
    its speaker's current position (a superseded amendment is no longer proposed)."""
    return (
        Contribution.key_message_id == message.id,
        Contribution.parent_id.is_(None),
        Contribution.position.in_(list(consultation.amendment_positions)),
        counted(),
        Contribution.amendment_text.is_not(None),
        listed_for(audience),
    )


#: Most endorsed first, then oldest first (ids grow with time): the order of the partial
#: index ix_contributions_amendments_by_support (key_message_id, endorsement_count DESC, id),
#: so a page reads its own rows, not every position of the key message.
_BY_SUPPORT = (Contribution.endorsement_count.desc(), Contribution.id)


async def proposed_amendments(
    db: AsyncSession, consultation: Consultation, message: KeyMessage, audience: Audience
) -> AmendmentSummary:
    """The visible amendments to a key message, most endorsed first."""
    if not consultation.amendment_positions:
        return AmendmentSummary([], 0)
    condition = _amendments_of(consultation, message, audience)
    rows = await db.execute(listing(audience).where(*condition).order_by(*_BY_SUPPORT).limit(AMENDMENTS_SHOWN))
    shown = [to_view(row, audience) for row in rows]
    total = len(shown)
    if total == AMENDMENTS_SHOWN:
        total = await db.scalar(select(func.count()).select_from(Contribution).where(*condition)) or 0
    return AmendmentSummary(shown, total)


def encode_support_cursor(view: ContributionView) -> str:
    return f"{view.endorsement_count}_{view.id}"


def decode_support_cursor(cursor: str | None) -> tuple[int, int] | None:
    count_text, _sep, id_text = (cursor or "").partition("_")
    count, identifier = parse_number(count_text), parse_id(id_text)
    if count is None or identifier is None:
        return None
    return count, identifier


def _after_support(cursor: tuple[int, int] | None) -> Any:
    if cursor is None:
        return True
    count, identifier = cursor
    # `<= count` first: a bound of the index range, so a later page starts at its place.
    return and_(
        Contribution.endorsement_count <= count,
        or_(Contribution.endorsement_count < count, Contribution.id > identifier),
    )


async def amendments_page(
    db: AsyncSession,
    consultation: Consultation,
    message: KeyMessage,
    audience: Audience,
    *,
    cursor: str | None,
    page_size: int,
    topic_id: int | None = None,
) -> AmendmentPage:
    """A page of every amendment to a key message (those tagged with a topic, if given),
    most endorsed first, paged by keyset so page 50 costs what page 1 does."""
    if not consultation.amendment_positions:
        return AmendmentPage([], None, 0)
    condition = _amendments_of(consultation, message, audience)
    if topic_id is not None:
        condition = (*condition, tagged_with(topic_id))
    rows = await db.execute(
        listing(audience)
        .where(*condition, _after_support(decode_support_cursor(cursor)))
        .order_by(*_BY_SUPPORT)
        .limit(page_size + 1)
    )
    views = [to_view(row, audience) for row in rows]
    total = await db.scalar(select(func.count()).select_from(Contribution).where(*condition)) or 0
    next_cursor = encode_support_cursor(views[page_size - 1]) if len(views) > page_size else None
    return AmendmentPage(views[:page_size], next_cursor, total)
