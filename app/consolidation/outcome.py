"""What we heard: once a consultation is closed, and only if it says so, the public sees per
key message the counts, the revised wording and whether each contribution was reflected.

Only what the public may read anyway is shown: contributions listed for everyone and visible
(publication consent, app.discussion.publication), with the byline the public sees. Notes
and reasons stay with the negotiators: a reason for "not reflected" is written as working
text among colleagues, not as a public answer to the author."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.models import ContributionReview, ReviewState
from app.consolidation.reviews import review_states
from app.consultation.models import Consultation
from app.consultation.phases import Phase, phase_of
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import PUBLIC, listed_for
from app.i18n import _, cached_per_locale

#: What the public page says of each state: "reviewed" decided nothing yet, like "new".
PUBLIC_STATES = {
    ReviewState.NEW: "undecided",
    ReviewState.REVIEWED: "undecided",
    ReviewState.REFLECTED: "reflected",
    ReviewState.PARTLY_REFLECTED: "partly_reflected",
    ReviewState.NOT_REFLECTED: "not_reflected",
}


@cached_per_locale
def public_state_labels() -> dict[str, str]:
    return {
        "reflected": _("Reflected"),
        "partly_reflected": _("Partly reflected"),
        "not_reflected": _("Not reflected"),
        "undecided": _("No decision recorded"),
    }


def publishes_outcome(consultation: Consultation) -> bool:
    """The page exists only for a published consultation that is closed and whose setting
    allows it: before that, it would tell what negotiators think while people still write."""
    return consultation.is_published and consultation.publishes_outcome and phase_of(consultation) is Phase.CLOSED


@dataclass(frozen=True, slots=True)
class HeardContribution:
    contribution: ContributionView
    state: str  #: a key of public_state_labels()


@dataclass(frozen=True, slots=True)
class HeardPage:
    items: list[HeardContribution]
    #: The id to continue after, when there are more.
    next_cursor: int | None


def _public_on(key_message_id: int) -> list[ColumnElement[bool]]:
    """Visible contributions on the key message that everyone may read."""
    return [
        Contribution.key_message_id == key_message_id,
        Contribution.status == ContributionStatus.VISIBLE,
        listed_for(PUBLIC),
    ]


async def heard_contributions(db: AsyncSession, key_message_id: int, *, after: int | None, page_size: int) -> HeardPage:
    """A page of the key message's public contributions, in order of writing, each with
    what became of it."""
    query = listing(PUBLIC).where(*_public_on(key_message_id)).order_by(Contribution.id).limit(page_size + 1)
    if after is not None:
        query = query.where(Contribution.id > after)
    rows = (await db.execute(query)).all()
    views = [to_view(row, PUBLIC) for row in rows[:page_size]]
    states = await review_states(db, [view.id for view in views])
    items = [HeardContribution(view, PUBLIC_STATES[states[view.id]]) for view in views]
    return HeardPage(items, views[-1].id if len(rows) > page_size else None)


async def public_among(db: AsyncSession, key_message_id: int, contribution_ids: list[int]) -> list[int]:
    """Of these contributions, those the public may read (a wording may also reflect ones
    kept for negotiators, which the public page must not link to or count)."""
    if not contribution_ids:
        return []
    found = await db.scalars(
        select(Contribution.id).where(Contribution.id.in_(contribution_ids), *_public_on(key_message_id))
    )
    return sorted(found.all())


async def reflected_counts(db: AsyncSession, key_message_id: int) -> dict[str, int]:
    """How many public contributions were reflected, partly or not: the page's summary."""
    rows = await db.execute(
        select(ContributionReview.state, func.count())
        .join(Contribution, Contribution.id == ContributionReview.contribution_id)
        .where(*_public_on(key_message_id))
        .group_by(ContributionReview.state)
    )
    counts = dict.fromkeys(("reflected", "partly_reflected", "not_reflected"), 0)
    for state, count in rows:
        word = PUBLIC_STATES[state]
        if word in counts:
            counts[word] += count
    return counts


#: The key message page links to its "what we heard" page when there is one.
TEMPLATE_GLOBALS = {"publishes_outcome": publishes_outcome}
