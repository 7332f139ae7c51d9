"""Reading the consultation text: each page's content loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.consultation.models import (
    Consultation,
    ConsultationStatus,
    Footnote,
    KeyMessage,
    KeyMessageTranslation,
    Section,
    SectionKind,
    SectionTranslation,
)
from app.consultation.translations import Translations
from app.text.footnotes import footnote_numbers


async def list_consultations(db: AsyncSession, *, include_drafts: bool = False) -> list[Consultation]:
    query = (
        select(Consultation)
        .options(selectinload(Consultation.sections).selectinload(Section.key_messages))
        .order_by(Consultation.id)
    )
    if not include_drafts:
        query = query.where(Consultation.status != ConsultationStatus.DRAFT)
    return list((await db.scalars(query)).all())


async def consultation_by_slug(db: AsyncSession, slug: str) -> Consultation | None:
    """The consultation with its whole document (sections, paragraphs, key messages, footnotes)."""
    return await db.scalar(
        select(Consultation)
        .where(Consultation.slug == slug)
        .options(
            selectinload(Consultation.sections).selectinload(Section.paragraphs),
            selectinload(Consultation.sections).selectinload(Section.key_messages),
            selectinload(Consultation.footnotes),
        )
    )


def roundtables(consultation: Consultation) -> list[Section]:
    return [s for s in consultation.sections if s.kind is SectionKind.ROUNDTABLE]


def section_by_ref(consultation: Consultation, ref: str) -> Section | None:
    return next((s for s in consultation.sections if s.ref == ref), None)


def subsections(consultation: Consultation, section: Section) -> list[Section]:
    return [s for s in consultation.sections if s.parent_id == section.id]


def key_message_by_ref(consultation: Consultation, ref: str) -> KeyMessage | None:
    for section in consultation.sections:
        for message in section.key_messages:
            if message.ref == ref:
                return message
    return None


def all_key_messages(consultation: Consultation) -> list[KeyMessage]:
    return [message for section in consultation.sections for message in section.key_messages]


def cited_footnotes(consultation: Consultation, *texts: str) -> list[Footnote]:
    """The footnotes cited in the given texts, in order of first citation."""
    numbers: list[int] = []
    for text in texts:
        numbers += [n for n in footnote_numbers(text) if n not in numbers]
    by_number = {footnote.number: footnote for footnote in consultation.footnotes}
    return [by_number[n] for n in numbers if n in by_number]


@dataclass(frozen=True)
class KeyMessageInContext:
    """What a key message page needs, without the rest of the document."""

    consultation: Consultation
    message: KeyMessage
    section: Section
    footnotes: list[Footnote]
    #: The reader's unofficial translations of the key message and its section's title.
    translations: Translations


async def key_message_in_context(
    db: AsyncSession,
    *,
    slug: str | None = None,
    ref: str | None = None,
    key_message_id: int | None = None,
    locale: str | None = None,
) -> KeyMessageInContext | None:
    """A key message by (consultation slug, ref) or by id, with its consultation, section,
    cited footnotes and, for a reader of `locale`, the translations of its text and its
    section's title, in two queries."""
    reader = locale or ""
    query = (
        select(Consultation, KeyMessage, Section, KeyMessageTranslation.text, SectionTranslation.title)
        .join(KeyMessage, KeyMessage.consultation_id == Consultation.id)
        .join(Section, Section.id == KeyMessage.section_id)
        .outerjoin(
            KeyMessageTranslation,
            (KeyMessageTranslation.key_message_id == KeyMessage.id) & (KeyMessageTranslation.locale == reader),
        )
        .outerjoin(
            SectionTranslation, (SectionTranslation.section_id == Section.id) & (SectionTranslation.locale == reader)
        )
    )
    if key_message_id is not None:
        query = query.where(KeyMessage.id == key_message_id)
    else:
        query = query.where(Consultation.slug == slug, KeyMessage.ref == ref)
    row = (await db.execute(query)).first()
    if row is None:
        return None
    consultation, message, section, translated_text, translated_title = row
    numbers = footnote_numbers(message.text)
    footnotes = (
        list(
            (
                await db.scalars(
                    select(Footnote)
                    .where(Footnote.consultation_id == consultation.id, Footnote.number.in_(numbers))
                    .order_by(Footnote.number)
                )
            ).all()
        )
        if numbers
        else []
    )
    translations = Translations(reader)
    if locale and locale != consultation.language:
        translations = Translations(
            locale,
            sections={section.id: translated_title} if translated_title else {},
            key_messages={message.id: translated_text} if translated_text else {},
        )
    return KeyMessageInContext(consultation, message, section, footnotes, translations)
