"""When a consultation takes contributions: upcoming, open or closed, decided by its opening
and closing instants and the current time, never by a stored word (which would go stale the
moment a deadline passes)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.db import utcnow

if TYPE_CHECKING:  # the model asks its phase of this module (Consultation.takes_contributions_now)
    from app.consultation.models import Consultation


class Phase(enum.Enum):
    """Where a published consultation stands in time."""

    UPCOMING = "upcoming"  #: before its opening instant: readable, no contributions yet
    OPEN = "open"  #: accepting contributions
    CLOSED = "closed"  #: from its closing instant on: readable, nothing new is written


def as_utc(moment: datetime | None) -> datetime | None:
    """Instants are stored in UTC; SQLite hands them back without a zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def phase_at(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> Phase:
    """Open from the opening instant (included) to the closing instant (excluded); a missing
    instant leaves that side unbounded."""
    opens, closes = as_utc(opens_at), as_utc(closes_at)
    if opens is not None and now < opens:
        return Phase.UPCOMING
    if closes is not None and now >= closes:
        return Phase.CLOSED
    return Phase.OPEN


def phase_of(consultation: Consultation, now: datetime | None = None) -> Phase:
    return phase_at(consultation.opens_at, consultation.closes_at, now or utcnow())


def phase_name(consultation: Consultation) -> str:
    """ "upcoming", "open" or "closed" now, from the consultation's instants (no I/O)."""
    return phase_of(consultation).value


def accepts_contributions(consultation: Consultation, now: datetime | None = None) -> bool:
    """Positions, replies, endorsements, edits and papers are written only to a published
    consultation in its open phase."""
    return consultation.is_published and phase_of(consultation, now) is Phase.OPEN


def phase_word(consultation: Consultation, now: datetime | None = None) -> str:
    """One word for exports and listings: "draft", or the phase of a published one."""
    if not consultation.is_published:
        return consultation.status.value
    return phase_of(consultation, now).value


class ScheduleError(ValueError):
    """An opening or closing instant the operator has to correct; the message says how."""


def parse_instant(text: str, name: str) -> datetime | None:
    """An ISO 8601 instant with its UTC offset (`2026-10-01T12:00+02:00`, `...Z`), or `none`.
    The offset is required: a bare time is ambiguous (Brussels or UTC, summer or winter)."""
    if text.strip().lower() == "none":
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(
            f"{name}: {text!r} is not an ISO 8601 date and time (e.g. 2026-10-01T12:00+02:00), nor 'none'"
        ) from None
    if moment.tzinfo is None:
        raise ScheduleError(
            f"{name}: {text!r} has no UTC offset; add one, e.g. {moment.isoformat(timespec='minutes')}+02:00 "
            "for Brussels summer time, +01:00 for winter time, or Z for UTC"
        )
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """The opening and closing instants of a consultation, in UTC."""

    opens_at: datetime | None
    closes_at: datetime | None

    def __post_init__(self) -> None:
        opens, closes = as_utc(self.opens_at), as_utc(self.closes_at)
        if opens is not None and closes is not None and closes <= opens:
            raise ScheduleError(
                f"the closing instant ({closes.isoformat()}) must come after the opening instant ({opens.isoformat()})"
            )
        object.__setattr__(self, "opens_at", opens)
        object.__setattr__(self, "closes_at", closes)

    def as_details(self) -> dict[str, str | None]:
        """JSON-native, for the audit log."""
        return {
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
        }


def schedule_of(consultation: Consultation) -> Schedule:
    return Schedule(as_utc(consultation.opens_at), as_utc(consultation.closes_at))


#: Installed by app.main at start-up.
TEMPLATE_GLOBALS = {"consultation_phase": phase_name}
