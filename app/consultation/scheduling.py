"""Setting when a consultation opens and closes (`roundtable consultation schedule`). The
deadline decides whose input reaches the negotiation, so every change is in the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.services import CONSULTATION_SCHEDULE, record
from app.consultation.models import Consultation
from app.consultation.phases import Schedule, ScheduleError, parse_instant, schedule_of

#: What the operator writes to leave an instant as it is.
UNCHANGED = None


async def reschedule(db: AsyncSession, slug: str, *, opens: str | None, closes: str | None) -> Consultation:
    """Give the consultation `slug` new instants from the operator's text (ISO 8601 with an
    offset, or `none` to remove one); an instant not given stays. The closing must come
    after the opening. Recorded with the schedule it replaced."""
    if opens is UNCHANGED and closes is UNCHANGED:
        raise ScheduleError("give --opens, --closes or both (an ISO 8601 instant with its offset, or 'none')")
    consultation = await db.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        known = ", ".join((await db.scalars(select(Consultation.slug).order_by(Consultation.slug))).all())
        raise ScheduleError(f"no consultation with the slug {slug!r} (known: {known or 'none'})")
    before = schedule_of(consultation)
    after = Schedule(
        before.opens_at if opens is UNCHANGED else parse_instant(opens, "--opens"),
        before.closes_at if closes is UNCHANGED else parse_instant(closes, "--closes"),
    )
    consultation.opens_at, consultation.closes_at = after.opens_at, after.closes_at
    record(
        db,
        CONSULTATION_SCHEDULE,
        actor=None,  # the operator, at the command line
        details={"consultation": slug, **after.as_details(), "previous": before.as_details()},
    )
    await db.flush()
    return consultation
