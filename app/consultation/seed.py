"""Load consultation seed files (seeds/*.yaml) idempotently: a second run changes nothing,
and each file is its own consultation, matched by slug. Rows are updated in place, never
replaced, because contributions point at key messages and topics."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import column, select, table
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
    PreModeration,
    Section,
    SectionKind,
    Topic,
)
from app.consultation.phases import Schedule, ScheduleError, parse_instant, schedule_of
from app.consultation.seed_translations import (
    TranslationError,
    consultation_texts,
    sync_consultation,
    sync_key_message,
    sync_section,
    translated_texts,
)
from app.fragments import clear_fragments

T = TypeVar("T")
SCHEMA = "roundtable.consultation/1"
PLACEMENT_KEYS = (
    (ParagraphPlacement.BEFORE, "paragraphs"),
    (ParagraphPlacement.BETWEEN, "paragraphs_between"),
    (ParagraphPlacement.AFTER, "paragraphs_after"),
)


#: A house rule's ref (R1, privacy-2): permanent, cited by decisions.
RULE_REF = re.compile(r"[A-Za-z0-9-]{1,40}")
TOPIC_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: The tags on contributions, named without importing the discussion domain (it depends on
#: this one); only which topics are in use is asked of it.
_TAGS = table("contribution_topics", column("topic_id"))


class SeedError(Exception):
    """The seed file does not have the expected shape."""


@dataclass
class SeedReport:
    slug: str
    changes: list[str] = field(default_factory=list)
    #: What the file says but the loader left alone, for the operator to read.
    notes: list[str] = field(default_factory=list)

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
            selectinload(Consultation.translations),
            selectinload(Consultation.sections).selectinload(Section.paragraphs),
            selectinload(Consultation.sections).selectinload(Section.translations),
            selectinload(Consultation.sections)
            .selectinload(Section.key_messages)
            .selectinload(KeyMessage.translations),
        )
    )
    report = SeedReport(slug=meta["slug"])
    translations = _checked(consultation_texts, meta.get("translations"), language)
    schedule = _schedule(meta)
    premoderation = _premoderation(data.get("premoderation", "none"))
    publishes_outcome = _publishes_outcome(data.get("publishes_outcome", False))
    created = consultation is None
    if consultation is None:
        consultation = Consultation(
            slug=meta["slug"],
            sections=[],
            footnotes=[],
            topics=[],
            translations=[],
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            premoderation=premoderation,
            publishes_outcome=publishes_outcome,
        )
        db.add(consultation)
        report.changes.append("consultation created")
    else:
        if schedule != schedule_of(consultation):
            report.notes.append(_kept_schedule_note(consultation, schedule))
        if premoderation is not consultation.premoderation:
            # Like the schedule, an administrator's later choice on the site stands.
            report.notes.append(
                f"premoderation kept as {consultation.premoderation.value!r} (the file says {premoderation.value!r})"
            )
        if publishes_outcome is not consultation.publishes_outcome:
            report.notes.append(
                f"publishes_outcome kept as {consultation.publishes_outcome} (the file says {publishes_outcome})"
            )
    _assign(
        consultation,
        {
            "title": meta["title"],
            "summary": meta.get("summary", ""),
            "source_reference": meta["source_reference"],
            "language": language,
            "status": _status(meta.get("status", "published")),
            "positions": list(data["positions"]),
            "amendment_positions": list(data.get("amendment_positions", [])),
            "moderation_rules": _rule_entries(data),
        },
        report,
        "consultation",
    )
    sync_consultation(consultation, translations, report)
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
    await _sync_topics(db, consultation, _topic_entries(data), report)
    if report.changed and not created:
        # Stored pages and their validators (app.web.conditional) show the text as it was.
        await clear_fragments(db)
    await db.flush()
    return report


def _checked(read: Callable[..., T], *args: Any) -> T:
    """A seed file's translations read by `read`, its complaint told as the file's."""
    try:
        return read(*args)
    except TranslationError as error:
        raise SeedError(str(error)) from None


def _premoderation(value: object) -> PreModeration:
    """Whose contributions wait for a moderator (app.discussion.holding)."""
    try:
        return PreModeration(value)
    except ValueError:
        choices = ", ".join(repr(choice.value) for choice in PreModeration)
        raise SeedError(f"premoderation {value!r}: use one of {choices}") from None


def _publishes_outcome(value: object) -> bool:
    """Whether the closed consultation shows its "what we heard" pages (app.consolidation.outcome)."""
    if not isinstance(value, bool):
        raise SeedError(f"publishes_outcome {value!r}: use true or false")
    return value


def _rule_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The optional `moderation_rules` list, checked: unique refs, a title and a text in
    English at least (other languages optional, like topic labels)."""
    entries = data.get("moderation_rules") or []
    refs = []
    for entry in entries:
        ref = entry.get("ref") if isinstance(entry, dict) else None
        if not isinstance(ref, str) or not RULE_REF.fullmatch(ref):
            raise SeedError(f"moderation rule ref {ref!r}: use 1-40 letters, digits and hyphens")
        for part in ("title", "text"):
            value = entry.get(part)
            if not isinstance(value, dict) or not isinstance(value.get("en"), str) or not value["en"].strip():
                raise SeedError(f"moderation rule {ref}: `{part}` needs at least `en`")
        refs.append(ref)
    if len(set(refs)) != len(refs):
        raise SeedError(f"moderation rule refs are not unique: {sorted({r for r in refs if refs.count(r) > 1})}")
    return [{"ref": entry["ref"], "title": dict(entry["title"]), "text": dict(entry["text"])} for entry in entries]


def _topic_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The optional `topics` list, checked: unique slugs fit for URLs, an English label."""
    entries = data.get("topics") or []
    slugs = [entry.get("slug") for entry in entries]
    for entry, slug in zip(entries, slugs, strict=True):
        if not isinstance(slug, str) or len(slug) > 60 or not TOPIC_SLUG.fullmatch(slug):
            raise SeedError(f"topic slug {slug!r}: use 1-60 lowercase letters, digits and hyphens")
        labels = entry.get("labels")
        if not isinstance(labels, dict) or not labels.get("en"):
            raise SeedError(f"topic {slug}: labels need at least `en`")
    if len(set(slugs)) != len(slugs):
        raise SeedError(f"topic slugs are not unique: {sorted({s for s in slugs if slugs.count(s) > 1})}")
    return entries


async def _sync_topics(
    db: AsyncSession, consultation: Consultation, entries: list[dict[str, Any]], report: SeedReport
) -> None:
    """Topics are matched by slug and updated in place (contributions are tagged with them).
    A topic gone from the file is deleted, unless contributions use it: then it is kept,
    after the file's topics, so no contribution loses a tag."""
    existing = {topic.slug: topic for topic in consultation.topics}
    for position, entry in enumerate(entries):
        values = {
            "labels": {str(locale): str(label) for locale, label in entry["labels"].items()},
            "position": position,
        }
        topic = existing.pop(entry["slug"], None)
        if topic is None:
            consultation.topics.append(Topic(slug=entry["slug"], **values))
            report.changes.append(f"topic {entry['slug']} created")
        else:
            _assign(topic, values, report, f"topic {entry['slug']}")
    in_use = await _topics_in_use(db, [topic.id for topic in existing.values()])
    position = len(entries)
    for slug, topic in sorted(existing.items(), key=lambda item: item[1].position):
        if topic.id in in_use:
            _assign(topic, {"position": position}, report, f"topic {slug} (in use, kept)")
            position += 1
        else:
            consultation.topics.remove(topic)
            report.changes.append(f"topic {slug} removed")


async def _topics_in_use(db: AsyncSession, topic_ids: list[int]) -> set[int]:
    if not topic_ids:
        return set()
    rows = await db.scalars(select(_TAGS.c.topic_id).where(_TAGS.c.topic_id.in_(topic_ids)).distinct())
    return set(rows)


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
        section = Section(number=str(data["number"]), paragraphs=[], key_messages=[], translations=[])
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
    sync_section(
        section, _checked(translated_texts, data.get("translations"), language, f"section {section.number}"), report
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
        message = KeyMessage(ref=data["ref"], consultation_id=consultation.id, translations=[])
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
    texts = _checked(translated_texts, data.get("translations"), consultation.language, data["ref"])
    sync_key_message(message, texts, report)


def _status(value: Any) -> ConsultationStatus:
    try:
        return ConsultationStatus(value)
    except ValueError:
        raise SeedError(
            f"consultation.status {value!r}: use 'published' or 'draft'; whether it is open follows "
            "from opens_at and closes_at"
        ) from None


def _schedule(meta: dict[str, Any]) -> Schedule:
    try:
        return Schedule(_instant(meta.get("opens_at"), "opens_at"), _instant(meta.get("closes_at"), "closes_at"))
    except ScheduleError as error:
        raise SeedError(f"consultation: {error}") from None


def _instant(value: Any, name: str) -> datetime | None:
    """An instant with its UTC offset (YAML reads `2026-10-01T12:00:00+02:00` as one), or
    nothing. A bare date is refused: which hour, in which zone, would it mean?"""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise SeedError(f"consultation.{name}: {value} is a date; give an instant, e.g. {value}T00:00:00+02:00")
    try:
        return parse_instant(value.isoformat() if isinstance(value, datetime) else str(value), name)
    except ScheduleError as error:
        raise SeedError(f"consultation.{error}") from None


def _kept_schedule_note(consultation: Consultation, schedule: Schedule) -> str:
    """After creation the schedule belongs to `roundtable consultation schedule`: reloading the
    seed (every `make run`, every deployment) must not reopen a closed consultation."""
    now = schedule_of(consultation).as_details()
    return (
        f"the database keeps its schedule {now} rather than the file's {schedule.as_details()}; "
        f"change it with: roundtable consultation schedule {consultation.slug} --opens ... --closes ..."
    )


def seed_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))
