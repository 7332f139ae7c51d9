"""Pre-moderation: contributions held until a moderator approves them.

A consultation says whose contributions wait (Consultation.premoderation). A held
contribution is checked exactly as a published one, then kept in `held_contributions` with
the columns it will have: it is no contribution until approved, so no page, tally, feed,
export or live update can show or count it. Only its author (on the key message's pages and
their own list) and the moderators (in the queue) read it. Approved, it is published with
the time it was written and becomes its speaker's current position as any new one does;
rejected, it is never published.

Choices where the issue was silent: moderators are never held; a person is held while none
of their contributions in the consultation was published (approved, or written before
pre-moderation began); a position paper cannot travel with a held contribution (it is
attached once the contribution is published); a person may have at most
MAX_WAITING_PER_PERSON contributions waiting, so a flood waits in no moderator's queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage, PreModeration, Topic
from app.db import insert_into, utcnow
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus, HeldContribution, HeldOutcome, PublicationConsent
from app.i18n import _
from app.organisations.models import Organisation, VerificationState

#: How many contributions one person may have waiting for approval in a consultation.
MAX_WAITING_PER_PERSON = 10

#: The columns a held contribution keeps for later; the rest are set when it is published.
_KEPT = (
    "key_message_id",
    "author_id",
    "organisation_id",
    "parent_id",
    "thread_root_id",
    "depth",
    "position",
    "amendment_text",
    "body_source",
    "body_html",
    "language",
    "publication",
    "quote_text",
    "quote_start",
    "submission_key",
)


@dataclass(frozen=True)
class Held:
    """What a post under pre-moderation wrote: the held contribution, and whether this
    request created it (False: the same form was sent before)."""

    held: HeldContribution
    created: bool


@dataclass(frozen=True)
class NobodysHeld:
    """Stands for a held contribution that does not exist where a permission asks for its
    author: nobody wrote it, so a refusal is the same 403 as for someone else's, and does
    not reveal which ids exist."""

    author_id: int | None = None


NOBODYS_HELD = NobodysHeld()


async def must_hold(
    db: AsyncSession,
    premoderation: PreModeration,
    consultation_id: int,
    author: User,
    organisation: Organisation | None,
) -> bool:
    """Whether this post waits for a moderator (the caller exempts moderators)."""
    if premoderation is PreModeration.NONE:
        return False
    if premoderation is PreModeration.UNVERIFIED:
        return organisation is None or organisation.verification is not VerificationState.VERIFIED
    return not await _has_published(db, author.id, consultation_id)


async def _has_published(db: AsyncSession, author_id: int, consultation_id: int) -> bool:
    """One of the author's contributions in the consultation: bounded by the author's own
    contributions (ix_contributions_author_id_created_at)."""
    published = (
        select(Contribution.id)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .where(Contribution.author_id == author_id, KeyMessage.consultation_id == consultation_id)
    )
    return bool(await db.scalar(select(exists(published))))


async def hold(db: AsyncSession, consultation_id: int, values: dict[str, Any], topics: list[Topic]) -> Held:
    """Keep a checked contribution (`values`: the columns contribution_write built) for a
    moderator; a form sent again answers with what it held (no second row)."""
    author_id = values["author_id"]
    waiting = await db.scalar(
        select(func.count())
        .select_from(HeldContribution)
        .where(
            HeldContribution.author_id == author_id,
            HeldContribution.consultation_id == consultation_id,
            HeldContribution.decided_at.is_(None),
        )
    )
    draft = {name: _json_native(values.get(name)) for name in _KEPT}
    row = {
        "consultation_id": consultation_id,
        "key_message_id": values["key_message_id"],
        "author_id": author_id,
        "parent_id": values.get("parent_id"),
        "draft": draft,
        "topic_slugs": [topic.slug for topic in topics],
        "submission_key": values["submission_key"],
        "created_at": values["created_at"],
    }
    if (waiting or 0) >= MAX_WAITING_PER_PERSON:
        earlier = await _held_by_key(db, author_id, values["submission_key"])
        if earlier is not None:
            return Held(earlier, created=False)
        raise ContributionError(
            "body",
            _(
                "%(count)s of your contributions are waiting for the moderators. Post again once they have "
                "looked at them; your text is kept below.",
                count=waiting,
            ),
        )
    statement = (
        insert_into(db, HeldContribution)
        .values(row)
        .on_conflict_do_nothing(index_elements=["author_id", "submission_key"])
        .returning(HeldContribution.id)
    )
    new_id = await db.scalar(statement)
    if new_id is None:
        earlier = await _held_by_key(db, author_id, values["submission_key"])
        assert earlier is not None  # the unique key that refused the insert names it
        return Held(earlier, created=False)
    return Held(await db.get_one(HeldContribution, new_id), created=True)


async def _held_by_key(db: AsyncSession, author_id: int, submission_key: str) -> HeldContribution | None:
    return await db.scalar(
        select(HeldContribution).where(
            HeldContribution.author_id == author_id, HeldContribution.submission_key == submission_key
        )
    )


def _json_native(value: Any) -> Any:
    return value.value if isinstance(value, PublicationConsent) else value


async def waiting_of(db: AsyncSession, author_id: int, key_message_id: int) -> list[HeldContribution]:
    """The author's contributions on a key message still waiting for approval, oldest first
    (a partial index of the waiting rows)."""
    return list(
        (
            await db.scalars(
                select(HeldContribution)
                .where(
                    HeldContribution.author_id == author_id,
                    HeldContribution.key_message_id == key_message_id,
                    HeldContribution.decided_at.is_(None),
                )
                .order_by(HeldContribution.created_at, HeldContribution.id)
                .limit(MAX_WAITING_PER_PERSON)
            )
        ).all()
    )


def refuse_paper_while_held(*, with_paper: bool) -> None:
    """A position paper cannot wait with a held contribution: it is attached once published."""
    if with_paper:
        raise ContributionError(
            "attachment",
            _(
                "The moderators approve your contributions before they are published, and a position paper "
                "cannot wait with them. Send the contribution without it; attach the paper once it is published."
            ),
        )


def reject_held(held: HeldContribution) -> None:
    decided(held, HeldOutcome.REJECTED)


def decided(held: HeldContribution, outcome: HeldOutcome) -> None:
    held.outcome = outcome
    held.decided_at = utcnow()


def contribution_values(held: HeldContribution) -> dict[str, Any]:
    """The columns of the contribution an approved one becomes, with the time it was written."""
    draft = held.draft
    return {
        **{name: draft.get(name) for name in _KEPT},
        "publication": PublicationConsent(draft["publication"]),
        "status": ContributionStatus.VISIBLE,
        "moderation_reason": None,
        "edited_at": None,
        "endorsement_count": 0,
        "created_at": held.created_at,
        "updated_at": utcnow(),
    }


async def held_with_author(db: AsyncSession, held_id: int) -> HeldContribution | None:
    return await db.scalar(
        select(HeldContribution).where(HeldContribution.id == held_id).options(selectinload(HeldContribution.author))
    )


def premoderation_of(consultation: Consultation, *, moderator: bool) -> PreModeration:
    """The rule that applies to this writer: moderators are never held."""
    return PreModeration.NONE if moderator else consultation.premoderation
