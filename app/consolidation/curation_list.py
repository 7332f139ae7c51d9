"""The contributions of a key message as negotiators curate them: filtered by the workspace's
Selection and by review state, a page at a time (never a whole discussion at once), each
with its review, the history of its review and its notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.models import ContributionReview, CurationNote, ReviewChange, ReviewState
from app.consolidation.reviews import current_reviews, notes_on, review_history
from app.consolidation.selection import Selection
from app.discussion.models import Contribution
from app.discussion.presenters import ContributionView, attach_extras, listing, to_view
from app.discussion.publication import NEGOTIATORS


@dataclass(frozen=True, slots=True)
class CurationItem:
    contribution: ContributionView
    review: ContributionReview | None
    history: list[ReviewChange] = field(default_factory=list)
    notes: list[CurationNote] = field(default_factory=list)

    @property
    def state(self) -> ReviewState:
        return self.review.state if self.review is not None else ReviewState.NEW


@dataclass(frozen=True, slots=True)
class CurationPage:
    items: list[CurationItem]
    #: The id to continue after, when there are more.
    next_cursor: int | None
    #: Notes on the key message itself.
    key_message_notes: list[CurationNote]


def in_states(states: tuple[ReviewState, ...]) -> ColumnElement[bool] | None:
    """Condition on the outer-joined ContributionReview: "new" is also no row at all."""
    if not states:
        return None
    either: list[ColumnElement[bool]] = [ContributionReview.state.in_(states)]
    if ReviewState.NEW in states:
        either.append(ContributionReview.contribution_id.is_(None))
    return or_(*either)


async def curation_page(
    db: AsyncSession,
    key_message_id: int,
    selection: Selection,
    states: tuple[ReviewState, ...],
    *,
    after: int | None,
    page_size: int,
) -> CurationPage:
    """A page of the key message's contributions (positions and replies, in order of
    writing) as negotiators see them: publication consent applied for NEGOTIATORS."""
    query = (
        listing(NEGOTIATORS)
        .outerjoin(ContributionReview, ContributionReview.contribution_id == Contribution.id)
        .where(Contribution.key_message_id == key_message_id, *selection.conditions())
        .order_by(Contribution.id)
        .limit(page_size + 1)
    )
    if (wanted := in_states(states)) is not None:
        query = query.where(wanted)
    if after is not None:
        query = query.where(Contribution.id > after)
    rows = (await db.execute(query)).all()
    views = [to_view(row, NEGOTIATORS) for row in rows[:page_size]]
    return CurationPage(
        await curation_items(db, key_message_id, views),
        views[-1].id if len(rows) > page_size else None,
        (await notes_on(db, key_message_id, [])).get(None, []),
    )


async def curation_items(db: AsyncSession, key_message_id: int, views: list[ContributionView]) -> list[CurationItem]:
    """Each contribution with its review, history and notes: four queries for a page."""
    await attach_extras(db, views)
    ids = [view.id for view in views]
    reviews, history = await current_reviews(db, ids), await review_history(db, ids)
    notes = await notes_on(db, key_message_id, ids) if ids else {}
    return [
        CurationItem(view, reviews.get(view.id), history.get(view.id, []), notes.get(view.id, [])) for view in views
    ]
