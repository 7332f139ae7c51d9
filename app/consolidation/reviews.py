"""Review states of contributions and negotiators' internal notes.

A contribution's state is one row (none: new); every change also adds a ReviewChange, so a
decision a colleague later replaced can still be traced. Two negotiators marking the same
contribution at once: the later write wins and both changes are in the history, each from
the state the other left. On PostgreSQL the row is locked (FOR UPDATE) before it is read,
and a first row inserted by both at once is settled by its primary key; on SQLite write
requests begin IMMEDIATE (app.db.writing), so they never meet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.consolidation.models import ContributionReview, CurationNote, ReviewChange, ReviewState
from app.db import utcnow
from app.discussion.models import Contribution
from app.i18n import _, cached_per_locale
from app.text.safe import clean_text

#: Long enough for a paragraph of reasoning; a reason is not a memo.
MAX_REASON_CHARS = 2000
MAX_NOTE_CHARS = 4000
#: A contribution never has more notes on one page than this (the rest are older).
NOTES_PER_CONTRIBUTION = 50


class CurationError(Exception):
    """Refused before anything was written; `field` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@cached_per_locale
def review_state_labels() -> dict[ReviewState, str]:
    return {
        ReviewState.NEW: _("New"),
        ReviewState.REVIEWED: _("Reviewed"),
        ReviewState.REFLECTED: _("Reflected"),
        ReviewState.PARTLY_REFLECTED: _("Partly reflected"),
        ReviewState.NOT_REFLECTED: _("Not reflected"),
    }


def has_words(text: str) -> bool:
    """Some letter or digit: a text of invisible characters or spaces alone is empty."""
    return any(character.isalnum() for character in text)


def parse_state(value: str) -> ReviewState:
    try:
        return ReviewState(value)
    except ValueError:
        raise CurationError("state", _("Choose a review state from the list.")) from None


def clean_reason(state: ReviewState, reason: str) -> str | None:
    """The reason as stored: required for "not reflected" (negotiators must be able to say
    why an input was set aside), optional otherwise."""
    reason = clean_text(reason).strip()
    if len(reason) > MAX_REASON_CHARS:
        message = _("The reason is %(length)s characters long; keep it under %(limit)s.")
        raise CurationError("reason", message % {"length": len(reason), "limit": MAX_REASON_CHARS})
    if not has_words(reason):
        reason = ""  # invisible characters alone say nothing
    if not reason and state is ReviewState.NOT_REFLECTED:
        raise CurationError("reason", _("Say why this contribution is not reflected."))
    return reason or None


async def set_review_state(
    db: AsyncSession, *, negotiator: User, contribution: Contribution, state: str, reason: str
) -> ReviewChange | None:
    """Record a contribution's new review state and the change; None when it already had
    this state with this reason (nothing changed, nothing recorded)."""
    chosen = parse_state(state)
    cleaned = clean_reason(chosen, reason)
    current = await _locked_review(db, contribution.id)
    if current is None:
        current = await _first_review(db, contribution.id, chosen, cleaned, negotiator)
        if current is None:  # inserted: it was new until now
            return _changed(db, contribution.id, ReviewState.NEW, chosen, cleaned, negotiator)
    if current.state is chosen and current.reason == cleaned:
        return None
    previous = current.state
    current.state, current.reason, current.changed_by_id = chosen, cleaned, negotiator.id
    current.changed_at = utcnow()
    return _changed(db, contribution.id, previous, chosen, cleaned, negotiator)


async def _locked_review(db: AsyncSession, contribution_id: int) -> ContributionReview | None:
    found: ContributionReview | None = await db.scalar(
        select(ContributionReview)
        .where(ContributionReview.contribution_id == contribution_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def _first_review(
    db: AsyncSession, contribution_id: int, state: ReviewState, reason: str | None, negotiator: User
) -> ContributionReview | None:
    """Insert the first row; None when that worked, else the row another negotiator
    inserted meanwhile, locked (the caller then changes it from their state)."""
    review = ContributionReview(
        contribution_id=contribution_id, state=state, reason=reason, changed_by_id=negotiator.id, changed_at=utcnow()
    )
    try:
        async with db.begin_nested():
            db.add(review)
            await db.flush()
    except IntegrityError:
        found = await _locked_review(db, contribution_id)
        assert found is not None  # the row that made the insert fail
        return found
    return None


def _changed(
    db: AsyncSession,
    contribution_id: int,
    previous: ReviewState,
    chosen: ReviewState,
    reason: str | None,
    negotiator: User,
) -> ReviewChange:
    change = ReviewChange(
        contribution_id=contribution_id,
        from_state=previous,
        to_state=chosen,
        reason=reason,
        changed_by_id=negotiator.id,
        changed_at=utcnow(),
    )
    db.add(change)
    return change


async def review_states(db: AsyncSession, contribution_ids: Iterable[int]) -> dict[int, ReviewState]:
    """The review state of each contribution asked for (NEW where none was recorded): what
    documents and exports say was taken up."""
    wanted = list(dict.fromkeys(contribution_ids))
    states = dict.fromkeys(wanted, ReviewState.NEW)
    if wanted:
        rows = await db.execute(
            select(ContributionReview.contribution_id, ContributionReview.state).where(
                ContributionReview.contribution_id.in_(wanted)
            )
        )
        states.update({contribution_id: state for contribution_id, state in rows})
    return states


async def current_reviews(db: AsyncSession, contribution_ids: Iterable[int]) -> dict[int, ContributionReview]:
    """The recorded reviews of these contributions (the new ones have none)."""
    wanted = list(contribution_ids)
    if not wanted:
        return {}
    rows = await db.scalars(select(ContributionReview).where(ContributionReview.contribution_id.in_(wanted)))
    return {review.contribution_id: review for review in rows}


async def review_history(db: AsyncSession, contribution_ids: Iterable[int]) -> dict[int, list[ReviewChange]]:
    """Every change of these contributions' states, oldest first, with who made it."""
    wanted = list(contribution_ids)
    history: dict[int, list[ReviewChange]] = defaultdict(list)
    if wanted:
        rows = await db.scalars(
            select(ReviewChange)
            .options(joinedload(ReviewChange.changed_by))
            .where(ReviewChange.contribution_id.in_(wanted))
            .order_by(ReviewChange.contribution_id, ReviewChange.id)
        )
        for change in rows:
            history[change.contribution_id].append(change)
    return history


def clean_note(body: str) -> str:
    body = clean_text(body).strip()
    if not has_words(body):
        raise CurationError("note", _("Write the note before saving it."))
    if len(body) > MAX_NOTE_CHARS:
        message = _("The note is %(length)s characters long; keep it under %(limit)s.")
        raise CurationError("note", message % {"length": len(body), "limit": MAX_NOTE_CHARS})
    return body


async def add_note(
    db: AsyncSession, *, negotiator: User, key_message_id: int, contribution_id: int | None, body: str
) -> CurationNote:
    """Keep an internal note on a contribution of the key message, or on the key message
    itself (`contribution_id` None). Notes are never edited: each is added."""
    note = CurationNote(
        key_message_id=key_message_id,
        contribution_id=contribution_id,
        body=clean_note(body),
        written_by_id=negotiator.id,
        written_at=utcnow(),
    )
    db.add(note)
    await db.flush()
    return note


async def notes_on(
    db: AsyncSession, key_message_id: int, contribution_ids: Iterable[int]
) -> dict[int | None, list[CurationNote]]:
    """The notes on these contributions and on the key message itself (key None), oldest
    first, with who wrote them."""
    wanted = list(contribution_ids)
    about = [CurationNote.contribution_id.is_(None)]
    if wanted:
        about.append(CurationNote.contribution_id.in_(wanted))
    rows = await db.scalars(
        select(CurationNote)
        .options(joinedload(CurationNote.written_by))
        .where(CurationNote.key_message_id == key_message_id, or_(*about))
        .order_by(CurationNote.id)
    )
    notes: dict[int | None, list[CurationNote]] = defaultdict(list)
    for note in rows:
        notes[note.contribution_id].append(note)
    return {key: found[-NOTES_PER_CONTRIBUTION:] for key, found in notes.items()}
