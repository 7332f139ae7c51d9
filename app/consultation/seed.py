"""Load consultation seed files (seeds/*.yaml) idempotently: a second run changes nothing,
and each file is its own consultation, matched by slug. Rows are updated in place, never
replaced, because contributions point at key messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.consultation.models import (
    Consultation,
    ConsultationStatus,
    Footnote,
    KeyMessage,
    KeyMessageKind,
    Paragraph,
    ParagraphPlacement,
    Section,
    SectionKind,
)

SCHEMA = "roundtable.consultation/1"
PLACEMENT_KEYS = (
    (ParagraphPlacement.BEFORE, "paragraphs"),
    (ParagraphPlacement.BETWEEN, "paragraphs_between"),
    (ParagraphPlacement.AFTER, "paragraphs_after"),
)


class SeedError(Exception):
    """The seed file does not have the expected shape."""


@dataclass
class SeedReport:
    slug: str
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def read_seed_file(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SeedError(f"{path.name}: not a consultation seed file (expected schema: {SCHEMA})")
    return data


def _assign(obj: Any, values: dict[str, Any], report: SeedReport, label: str) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            report.changes.append(f"{label}.{name}")


async def load_seed(db: AsyncSession, data: dict[str, Any]) -> SeedReport:
    meta = data["consultation"]
    unknown = set(data.get("amendment_positions", [])) - set(data["positions"])
    if unknown:
        raise SeedError(f"amendment_positions names positions not in positions: {sorted(unknown)}")
    language = meta["language"]
    consultation = await db.scalar(
        select(Consultation)
        .where(Consultation.slug == meta["slug"])
        .options(
            selectinload(Consultation.footnotes),
            selectinload(Consultation.sections).selectinload(Section.paragraphs),
            selectinload(Consultation.sections).selectinload(Section.key_messages),
        )
    )
    report = SeedReport(slug=meta["slug"])
    if consultation is None:
        consultation = Consultation(slug=meta["slug"], sections=[], footnotes=[])
        db.add(consultation)
        report.changes.append("consultation created")
    _assign(
        consultation,
        {
            "title": meta["title"],
            "summary": meta.get("summary", ""),
            "source_reference": meta["source_reference"],
            "language": language,
            "status": ConsultationStatus(meta.get("status", "open")),
            "opens_at": _date(meta.get("opens_at")),
            "closes_at": _date(meta.get("closes_at")),
            "positions": list(data["positions"]),
            "amendment_positions": list(data.get("amendment_positions", [])),
        },
        report,
        "consultation",
    )
    await db.flush()
    sections = {section.number: section for section in consultation.sections}
    position = 0
    for section_data in data["sections"]:
        position = await _load_section(db, consultation, sections, section_data, None, position, report)
    footnotes = {footnote.number: footnote for footnote in consultation.footnotes}
    for number, text in sorted(data.get("footnotes", {}).items()):
        footnote = footnotes.get(int(number))
        if footnote is None:
            footnote = Footnote(number=int(number), text="", language=language)
            consultation.footnotes.append(footnote)
        _assign(footnote, {"text": text, "language": language}, report, f"footnote {number}")
    await db.flush()
    return report


async def _load_section(
    db: AsyncSession,
    consultation: Consultation,
    sections: dict[str, Section],
    data: dict[str, Any],
    parent: Section | None,
    position: int,
    report: SeedReport,
) -> int:
    language = consultation.language
    section = sections.get(str(data["number"]))
    if section is None:
        section = Section(number=str(data["number"]), paragraphs=[], key_messages=[])
        consultation.sections.append(section)
        sections[section.number] = section
    kind = SectionKind(data.get("kind", "context"))
    _assign(
        section,
        {
            "ref": data.get("ref"),
            "kind": kind,
            "title": data["title"],
            "position": position,
            "language": language,
            "parent_id": parent.id if parent else None,
        },
        report,
        f"section {section.number}",
    )
    await db.flush()
    placed = [(placement, text) for placement, key in PLACEMENT_KEYS for text in data.get(key, [])]
    _sync_paragraphs(section, placed, language, report)
    for index, message in enumerate(data.get("key_messages", [])):
        _sync_key_message(consultation, section, message, index, report)
    position += 1
    for child in data.get("subsections", []):
        position = await _load_section(
            db, consultation, sections, {**child, "kind": "context"}, section, position, report
        )
    return position


def _sync_paragraphs(
    section: Section, placed: list[tuple[ParagraphPlacement, str]], language: str, report: SeedReport
) -> None:
    existing = section.paragraphs
    for index, (placement, text) in enumerate(placed):
        values = {"text": text, "position": index, "language": language, "placement": placement}
        if index < len(existing):
            _assign(existing[index], values, report, f"section {section.number} paragraph {index}")
        else:
            existing.append(Paragraph(**values))
            report.changes.append(f"section {section.number} paragraph {index} created")
    for extra in existing[len(placed) :]:
        existing.remove(extra)
        report.changes.append(f"section {section.number} paragraph removed")


def _sync_key_message(
    consultation: Consultation, section: Section, data: dict[str, Any], index: int, report: SeedReport
) -> None:
    message = next((m for m in section.key_messages if m.ref == data["ref"]), None)
    if message is None:
        message = KeyMessage(ref=data["ref"], consultation_id=consultation.id)
        section.key_messages.append(message)
        report.changes.append(f"{data['ref']} created")
    _assign(
        message,
        {
            "kind": KeyMessageKind(data.get("kind", "key_message")),
            "position": index,
            "text": data["text"],
            "language": consultation.language,
            "consultation_id": consultation.id,
        },
        report,
        data["ref"],
    )


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def seed_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))
