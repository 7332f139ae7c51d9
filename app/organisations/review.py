"""What the moderators review: organisations not verified, those whose verification lapsed
when their checked facts changed (with what the facts were), and claims of organisations
without admins (see app.organisations.joining)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.services import ORGANISATION_VERIFICATION_LAPSE
from app.organisations.joining import Claim, pending_claims, without_admin
from app.organisations.models import JoinRequest, JoinRequestStatus, Organisation, VerificationState

#: Organisations never verified listed at most (newest first); a lapse is always listed.
UNVERIFIED_SHOWN = 100


@dataclass(frozen=True)
class Lapse:
    organisation: Organisation
    #: The checked facts as they were when verified, by field (from the audit log).
    previous: dict[str, Any]


@dataclass
class Review:
    claims: list[Claim] = field(default_factory=list)
    lapsed: list[Lapse] = field(default_factory=list)
    unverified: list[Organisation] = field(default_factory=list)


async def review(db: AsyncSession) -> Review:
    unverified = select(Organisation).where(Organisation.verification == VerificationState.UNVERIFIED)
    lapsed = (
        await db.scalars(
            unverified.where(Organisation.verification_lapsed_at.is_not(None)).order_by(
                Organisation.verification_lapsed_at.desc(), Organisation.id
            )
        )
    ).all()
    never = await db.scalars(
        unverified.where(Organisation.verification_lapsed_at.is_(None))
        .order_by(Organisation.created_at.desc(), Organisation.id.desc())
        .limit(UNVERIFIED_SHOWN)
    )
    previous = await _facts_before_lapse(db, [o.id for o in lapsed])
    return Review(
        claims=await pending_claims(db),
        lapsed=[Lapse(o, previous.get(o.id, {})) for o in lapsed],
        unverified=list(never.all()),
    )


async def _facts_before_lapse(db: AsyncSession, organisation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The previous facts recorded by each organisation's latest lapse."""
    if not organisation_ids:
        return {}
    events = await db.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == ORGANISATION_VERIFICATION_LAPSE, AuditEvent.organisation_id.in_(organisation_ids))
        .order_by(AuditEvent.id)
    )
    return {event.organisation_id: dict(event.details.get("previous", {})) for event in events if event.organisation_id}


@dataclass(frozen=True)
class ReviewCounts:
    """How much of the review waits, for the moderation queue's summary."""

    claims: int  #: requests to join organisations without admins
    lapsed: int  #: verifications that lapsed when checked facts changed
    unverified: int  #: organisations never verified

    @property
    def needing_decision(self) -> int:
        """What waits for a moderator's answer (the header's count): claims and lapses. Never
        verified organisations are most new ones; they are listed, not counted as overdue."""
        return self.claims + self.lapsed


def claims_waiting() -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(JoinRequest)
        .where(JoinRequest.status == JoinRequestStatus.PENDING, without_admin(JoinRequest.organisation_id))
        .scalar_subquery()
    )


def lapses_waiting() -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(Organisation)
        .where(
            Organisation.verification == VerificationState.UNVERIFIED, Organisation.verification_lapsed_at.is_not(None)
        )
        .scalar_subquery()
    )


async def review_counts(db: AsyncSession) -> ReviewCounts:
    never = (
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.verification == VerificationState.UNVERIFIED, Organisation.verification_lapsed_at.is_(None))
        .scalar_subquery()
    )
    claims, lapsed, unverified = (await db.execute(select(claims_waiting(), lapses_waiting(), never))).one()
    return ReviewCounts(claims=claims, lapsed=lapsed, unverified=unverified)
