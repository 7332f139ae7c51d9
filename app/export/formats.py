"""The contract between an export's formats and what runs them (the web's background jobs and
`roundtable export`).

A format writes one file for one ExportRequest into a binary stream, reading the database
itself in bounded batches (never the whole consultation in memory), reporting its progress,
and returning its counts for the snapshot's manifest. Whatever runs it supplies the stream
(a file on disk, a spooled temporary file) and the request.

Snapshots are reproducible: a format never writes the wall-clock time, a random value or
anything else that is not in the data and the request. The time a document shows is
`ExportRequest.as_of`, the moment of the latest change to the data it covers (see
`data_as_of`), so the same data and filters give byte-identical files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.models import Contribution

#: Told the share done, 0 to 1; awaited, so the runner may record it in the database.
Progress = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ExportRequest:
    consultation: Consultation  #: loaded with its sections and key messages
    selection: Selection
    #: The data's own time: the latest change to what is selected (data_as_of).
    as_of: datetime
    #: The language of the document's own words (headings, labels).
    language: str = "en"


class Writer(Protocol):
    def __call__(
        self, db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress
    ) -> Awaitable[dict[str, int]]:
        """Write the file into `out`; return counts for the manifest ({"contributions": n, ...})."""


@dataclass(frozen=True)
class Format:
    name: str  #: "csv", also the file's extension
    media_type: str
    write: Writer


#: Every format by name, for the command line and the jobs. Each format's module registers
#: its own (`register`); app.export.services imports the modules of the built-in ones.
FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


async def data_as_of(db: AsyncSession, request_consultation: Consultation, selection: Selection) -> datetime:
    """The latest change to the contributions of the selected key messages (a contribution's
    row changes with its edits, moderation, endorsements and supersession), or the
    consultation's own when there are none."""
    key_message_ids = [m.id for m in selection.key_messages(request_consultation)]
    latest = await db.scalar(
        select(func.max(Contribution.updated_at)).where(Contribution.key_message_id.in_(key_message_ids))
    )
    moment = latest or request_consultation.updated_at
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
