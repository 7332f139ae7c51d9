"""Authors changing their contributions: editing within a window after publishing (every
earlier version kept as a ContributionRevision), and withdrawing at any time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage
from app.consultation.phases import Phase, accepts_contributions, phase_of
from app.discussion.amendments import validated_amendment
from app.discussion.contribution_write import CONTRIBUTION_LANGUAGES, mark_discussion_changed, validate_body
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionRevision, ContributionStatus
from app.i18n import _, format_datetime_brussels, format_instant_brussels
from app.text.markdown import rendered_markdown


class EditRefused(Exception):
    """The contribution cannot be changed now, whatever is submitted; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Changes:
    """What an author may change: the text, the position (top-level contributions only), the
    proposed wording and the language. Topics, the quoted passage, publication consent and
    attachments stay as published."""

    body: str
    language: str
    #: The version the form was opened on (`version_of`), so a stale form changes nothing.
    version: str
    position: str | None = None
    amendment_text: str = ""


@dataclass(frozen=True)
class AuthorActions:
    """What the author of a contribution may still do with it, for the links offered."""

    contribution_id: int
    #: Until when it can be edited; None when it cannot be (see `edit_refusal`).
    edit_until: datetime | None
    edit_refusal: str | None
    may_withdraw: bool
    edited: bool
    #: A moderator hid it: its author is offered the appeal.
    hidden: bool = False


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def edit_deadline(contribution: Contribution, window_minutes: int) -> datetime:
    return aware(contribution.created_at) + timedelta(minutes=window_minutes)


def version_of(contribution: Contribution) -> str:
    """Names the current version: it changes with every edit (hidden in the edit form)."""
    return aware(contribution.edited_at).isoformat() if contribution.edited_at else "original"


def edit_refusal(
    contribution: Contribution, consultation: Consultation, window_minutes: int, now: datetime
) -> str | None:
    """Why the author may not edit it now; None when they may. Edits are for correcting a text
    soon after publishing: once others may have read and answered it, it is fixed."""
    if contribution.status is ContributionStatus.WITHDRAWN:
        return _("You withdrew this contribution, so it can no longer be changed.")
    if contribution.status is ContributionStatus.HIDDEN:
        return _("A moderator removed this contribution, so it can no longer be changed.")
    if not accepts_contributions(consultation, now):
        return _not_open(consultation, now)
    deadline = edit_deadline(contribution, window_minutes)
    if now >= deadline:
        return _(
            "Contributions can be changed for %(minutes)s minutes after publishing. This one is fixed "
            "since %(time)s; you can still withdraw it.",
            minutes=window_minutes,
            time=format_datetime_brussels(deadline),
        )
    return None


def withdraw_refusal(contribution: Contribution, consultation: Consultation, now: datetime | None = None) -> str | None:
    """Why the author may not withdraw it; None when they may (at any time while the
    consultation is open, whatever a moderator did: once it closed, what was said stands)."""
    if contribution.status is ContributionStatus.WITHDRAWN:
        return _("You have already withdrawn this contribution.")
    if not accepts_contributions(consultation, now):
        return _not_open(consultation, now)
    return None


def _not_open(consultation: Consultation, now: datetime | None) -> str:
    """Why nothing can be changed now, with the instant that decides it (Brussels time)."""
    if phase_of(consultation, now) is Phase.UPCOMING and consultation.opens_at is not None:
        return _(
            "The consultation opens on %(time)s; until then contributions cannot be changed.",
            time=format_instant_brussels(consultation.opens_at),
        )
    if consultation.closes_at is not None:
        return _(
            "The consultation closed on %(time)s, so contributions can no longer be changed or withdrawn.",
            time=format_instant_brussels(consultation.closes_at),
        )
    return _("The consultation is not accepting contributions, so they can no longer be changed.")


def author_actions(
    contribution: Contribution, consultation: Consultation, *, window_minutes: int, now: datetime
) -> AuthorActions:
    """The links its author is offered for a contribution. Per person, so they go on
    uncached pages only."""
    refusal = edit_refusal(contribution, consultation, window_minutes, now)
    return AuthorActions(
        contribution_id=contribution.id,
        edit_until=None if refusal else edit_deadline(contribution, window_minutes),
        edit_refusal=refusal,
        may_withdraw=withdraw_refusal(contribution, consultation, now) is None,
        edited=contribution.edited_at is not None,
        hidden=contribution.status is ContributionStatus.HIDDEN,
    )


@dataclass(frozen=True)
class _Version:
    position: str | None
    body_source: str
    amendment_text: str | None
    language: str | None


def _validated(
    contribution: Contribution, consultation: Consultation, message: KeyMessage, changes: Changes, max_chars: int
) -> _Version:
    if contribution.parent_id is None:
        if changes.position not in consultation.positions:
            raise ContributionError("position", _("Choose your position on this key message."))
        position: str | None = changes.position
    else:
        position = None  # replies carry no position
    amendment_text = validated_amendment(changes.amendment_text, position, consultation, message)
    body = validate_body(changes.body, max_chars)
    if changes.language not in CONTRIBUTION_LANGUAGES:
        raise ContributionError("language", _("Choose the language you wrote in."))
    return _Version(position, body, amendment_text, changes.language)


def _current(contribution: Contribution) -> _Version:
    return _Version(contribution.position, contribution.body_source, contribution.amendment_text, contribution.language)


#: The columns an edit writes, re-read into the model after the UPDATE.
_EDITED_COLUMNS = ("position", "body_source", "body_html", "amendment_text", "language", "edited_at", "updated_at")


def _unchanged_since_read(contribution: Contribution) -> ColumnElement[bool]:
    """The row is still the version this request read: two edits racing cannot both apply."""
    if contribution.edited_at is None:
        return Contribution.edited_at.is_(None)
    return Contribution.edited_at == contribution.edited_at


def _changed_since_opened() -> ContributionError:
    return ContributionError(
        "body",
        _(
            "This contribution changed since you opened it (perhaps in another window). "
            "Reload the page to see its current text, then make your change again."
        ),
    )


async def edit_contribution(
    db: AsyncSession,
    *,
    contribution: Contribution,
    consultation: Consultation,
    key_message: KeyMessage,
    changes: Changes,
    window_minutes: int,
    max_chars: int,
    now: datetime,
) -> bool:
    """Apply an author's edit within the edit window, keeping the replaced version as a
    revision. Returns False when nothing changed (no revision is kept); a form opened on an
    older version is refused unless it asks for what is already there (a double submit)."""
    if (refusal := edit_refusal(contribution, consultation, window_minutes, now)) is not None:
        raise EditRefused(refusal)
    new = _validated(contribution, consultation, key_message, changes, max_chars)
    old = _current(contribution)
    if new == old:
        return False
    if changes.version != version_of(contribution):
        raise _changed_since_opened()
    result = await db.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id, _unchanged_since_read(contribution))
        .values(
            position=new.position,
            body_source=new.body_source,
            body_html=await rendered_markdown(new.body_source),
            amendment_text=new.amendment_text,
            language=new.language,
            edited_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        raise _changed_since_opened()
    db.add(
        ContributionRevision(
            contribution_id=contribution.id,
            position=old.position,
            body_source=old.body_source,
            body_html=contribution.body_html,
            amendment_text=old.amendment_text,
            written_at=contribution.edited_at or contribution.created_at,
            replaced_at=now,
        )
    )
    await mark_discussion_changed(db, contribution.key_message_id)
    await db.flush()
    await db.refresh(contribution, list(_EDITED_COLUMNS))
    return True


async def withdraw_contribution(db: AsyncSession, *, contribution: Contribution, consultation: Consultation) -> None:
    """The author takes a contribution back: its text is no longer shown, but the row stays
    so that replies keep their place under a "withdrawn" marker. Moderators cannot restore it."""
    if (refusal := withdraw_refusal(contribution, consultation)) is not None:
        raise EditRefused(refusal)
    contribution.status = ContributionStatus.WITHDRAWN
    await mark_discussion_changed(db, contribution.key_message_id)
    await db.flush()
