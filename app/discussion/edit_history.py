"""The history of a contribution: every version its author published, newest first, each
with a word-level diff against the one before it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise
from typing import Literal

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.discussion.models import Contribution, ContributionRevision
from app.discussion.redline import word_chunks


@dataclass(frozen=True, slots=True)
class Segment:
    kind: Literal["same", "deleted", "inserted"]
    text: str


@dataclass(frozen=True)
class VersionView:
    """One published version; the diffs are against the version before it (None for the first)."""

    number: int  #: 1 for the original
    written_at: datetime
    replaced_at: datetime | None  #: None for the current version
    position: str | None
    body_html: str
    amendment_text: str | None
    previous_position: str | None = None
    body_changes: list[Segment] | None = None
    amendment_changes: list[Segment] | None = None

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None

    @property
    def position_changed(self) -> bool:
        return self.number > 1 and self.previous_position != self.position

    @property
    def body_changed(self) -> bool:
        return has_changes(self.body_changes)

    @property
    def amendment_changed(self) -> bool:
        return has_changes(self.amendment_changes)


@dataclass(frozen=True)
class _Text:
    position: str | None
    body_source: str
    body_html: str
    amendment_text: str | None
    written_at: datetime
    replaced_at: datetime | None


def word_diff(old: str, new: str) -> list[Segment]:
    """The changes from `old` to `new`, word by word (the redline's tokens, so line breaks stay
    where the author put them); neighbouring segments of one kind merged."""
    segments: list[Segment] = []
    for chunk in word_chunks(old, new):
        if not chunk.changed:
            _append(segments, "same", chunk.deleted)
            continue
        _append(segments, "deleted", chunk.deleted)
        _append(segments, "inserted", chunk.inserted)
    return segments


def _append(segments: list[Segment], kind: Literal["same", "deleted", "inserted"], text: str) -> None:
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1] = Segment(kind, segments[-1].text + text)
    else:
        segments.append(Segment(kind, text))


def has_changes(segments: list[Segment] | None) -> bool:
    return segments is not None and any(segment.kind != "same" for segment in segments)


async def contribution_versions(db: AsyncSession, contribution: Contribution) -> list[VersionView]:
    """Every version of the contribution, the current one first."""
    revisions = await db.scalars(
        select(ContributionRevision)
        .where(ContributionRevision.contribution_id == contribution.id)
        .order_by(ContributionRevision.written_at, ContributionRevision.id)
    )
    texts = [
        _Text(r.position, r.body_source, r.body_html, r.amendment_text, r.written_at, r.replaced_at) for r in revisions
    ]
    texts.append(
        _Text(
            contribution.position,
            contribution.body_source,
            contribution.body_html,
            contribution.amendment_text,
            contribution.edited_at or contribution.created_at,
            None,
        )
    )
    # A diff of two long texts takes up to tens of milliseconds (app.discussion.redline bounds
    # it), once per version: in a thread, so the worker's other requests go on.
    return await to_thread.run_sync(versions_of, texts)


def versions_of(texts: list[_Text]) -> list[VersionView]:
    """The versions, newest first, each compared with the one before it."""
    versions = [_version(1, texts[0], None)]
    versions += [_version(number, text, previous) for number, (previous, text) in enumerate(pairwise(texts), 2)]
    return versions[::-1]


def _version(number: int, text: _Text, previous: _Text | None) -> VersionView:
    version = VersionView(
        number=number,
        written_at=text.written_at,
        replaced_at=text.replaced_at,
        position=text.position,
        body_html=text.body_html,
        amendment_text=text.amendment_text,
    )
    if previous is None:
        return version
    return replace(
        version,
        previous_position=previous.position,
        body_changes=word_diff(previous.body_source, text.body_source),
        amendment_changes=None
        if previous.amendment_text is None and text.amendment_text is None
        else word_diff(previous.amendment_text or "", text.amendment_text or ""),
    )
