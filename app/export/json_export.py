"""The consolidated input as JSON, written as it is read.

The file is exactly `json.dumps(export, ensure_ascii=False, separators=(",", ":"))` of the
whole export (app/export/schema/consolidated-input.schema.json describes it), written piece
by piece: each object's members in a fixed order, each list's items as they come, so the
same data and selection give the same bytes and memory stays flat at any size. Compact
separators keep CPython's C encoder (an indented dump runs in Python, several times slower)."""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any, BinaryIO

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.selection import Selection
from app.consultation.models import Consultation, KeyMessage, Section, SectionKind
from app.export.builders import (
    SCHEMA_VERSION,
    consultation_record,
    contribution_record,
    iso,
    key_message_head,
    nested,
    section_head,
)
from app.export.formats import ExportRequest, Format, Progress, data_as_of
from app.export.streaming import (
    KeyMessageFacts,
    KeyMessageStream,
    Thread,
    Tracker,
    count_selected,
    key_message_facts,
    threads,
)
from app.export.writers import UNCLEAN_IN_JSON, without_control_characters

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    return _encode(without_control_characters(value))


def members(record: dict[str, Any]) -> str:
    """An object's members without its braces, to be continued."""
    return ",".join(f"{_encode(key)}:{dumps(value)}" for key, value in record.items())


class _List:
    """A JSON list written item by item: the text that goes before each item, and the end
    ("[]" when none came)."""

    def __init__(self) -> None:
        self.items = 0

    def item(self, text: str) -> str:
        self.items += 1
        return ("[" if self.items == 1 else ",") + text

    def close(self) -> str:
        return "]" if self.items else "[]"


def _sections(consultation: Consultation, key_messages: list[KeyMessage], roundtables: bool) -> list[Section]:
    chosen = {m.id for m in key_messages}
    return [
        s
        for s in consultation.sections
        if (s.kind is SectionKind.ROUNDTABLE) == roundtables and any(m.id in chosen for m in s.key_messages)
    ]


def thread_text(thread: Thread) -> list[str]:
    """A thread's branches (usually one), each nested and encoded: CPU work, for a worker thread.
    Text is cleaned of control characters only where the encoded thread shows one (seldom)."""
    records = [contribution_record(item.view, item.body_source, item.origins) for item in thread]
    branches = [_encode(record) for record in nested(records)]
    if any(UNCLEAN_IN_JSON.search(branch) for branch in branches):
        return [dumps(record) for record in nested(records)]
    return branches


class _JsonExport:
    def __init__(self, db: AsyncSession, request: ExportRequest, out: BinaryIO, tracker: Tracker) -> None:
        self.db, self.request, self.out, self.tracker = db, request, out, tracker
        self.key_messages = request.selection.key_messages(request.consultation)
        self.stream = KeyMessageStream(threads(db, self.key_messages, request.selection))

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    async def run(self, facts: KeyMessageFacts) -> None:
        consultation = self.request.consultation
        head = {
            "schema_version": SCHEMA_VERSION,
            "consultation": consultation_record(consultation),
            "as_of": iso(self.request.as_of),
            "selection": self.request.selection.as_dict(),
        }
        self.write("{" + members(head))
        for key, roundtables in (("roundtables", True), ("next_steps", False)):
            self.write(f',"{key}":')
            sections = _List()
            for section in _sections(consultation, self.key_messages, roundtables):
                self.write(sections.item("{" + members(section_head(section)) + ',"key_messages":'))
                await self._key_messages(section, facts)
                self.write("}")
            self.write(sections.close())
        self.write("}")

    async def _key_messages(self, section: Section, facts: KeyMessageFacts) -> None:
        listed = _List()
        for message in (m for m in section.key_messages if m in self.key_messages):
            head = key_message_head(
                self.request.consultation, message, facts.counts[message.id], facts.repeats.get(message.id, Counter())
            )
            self.write(listed.item("{" + members(head) + ',"contributions":'))
            contributions = _List()
            async for batch in self.stream.batches(message.id):
                await to_thread.run_sync(self._write_batch, batch, contributions)
                await self.tracker.advance(sum(map(len, batch)))
            self.write(contributions.close())
            curated = {
                "highlights": facts.highlights.get(message.id, []),
                "summaries": facts.summaries.get(message.id, []),
            }
            self.write("," + members(curated) + "}")
        self.write(listed.close())

    def _write_batch(self, batch: list[Thread], contributions: _List) -> None:
        """Records made, encoded and written in a worker thread: CPU work and file I/O."""
        self.write("".join(contributions.item(text) for thread in batch for text in thread_text(thread)))


async def write_json(db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress) -> dict[str, int]:
    key_messages = request.selection.key_messages(request.consultation)
    facts = await key_message_facts(db, key_messages, request.selection)
    tracker = Tracker(await count_selected(db, key_messages, request.selection), progress)
    await _JsonExport(db, request, out, tracker).run(facts)
    return {"contributions": tracker.done, "key_messages": len(key_messages)}


JSON_FORMAT = Format("json", "application/json", write_json)


async def _ignore(_share: float) -> None:
    return None


async def export_data(
    db: AsyncSession, consultation: Consultation, selection: Selection | None = None
) -> dict[str, Any]:
    """The JSON export as data (for tests and small callers: it is the whole export in memory)."""
    chosen = selection or Selection()
    request = ExportRequest(consultation, chosen, await data_as_of(db, consultation, chosen))
    out = io.BytesIO()
    await write_json(db, request, out, _ignore)
    loaded: dict[str, Any] = json.loads(out.getvalue())
    return loaded
