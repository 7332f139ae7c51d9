"""Unofficial translations of the text under consultation, as one reader's pages show them.

A consultation is written in one language (Consultation.language), which stays
authoritative; its seed file may add translations of the title and summary, of the
roundtables' titles and of the key messages (app.consultation.seed_translations). A reader
whose language has one reads it, marked as unofficial, with the original beside it. Quotes,
proposed wording, redlines and exports never read these: they work on the original."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import (
    Consultation,
    ConsultationTranslation,
    KeyMessage,
    KeyMessageTranslation,
    Section,
    SectionTranslation,
)


@dataclass(frozen=True)
class Translations:
    """One locale's translations of what a page shows, by the id of what they translate."""

    locale: str
    #: Consultation id -> (title, summary).
    consultations: dict[int, tuple[str, str]] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)
    key_messages: dict[int, str] = field(default_factory=dict)

    def title(self, consultation: Consultation) -> str | None:
        found = self.consultations.get(consultation.id)
        return found[0] if found else None

    def summary(self, consultation: Consultation) -> str | None:
        found = self.consultations.get(consultation.id)
        return found[1] or None if found else None

    def section_title(self, section: Section) -> str | None:
        return self.sections.get(section.id)

    def key_message(self, message: KeyMessage) -> str | None:
        return self.key_messages.get(message.id)

    def language_name(self, language: str) -> str:
        """The original's language named in the reader's ("Dutch", "néerlandais")."""
        try:
            return Locale.parse(language).get_display_name(self.locale) or language
        except (UnknownLocaleError, ValueError):
            return language

    @property
    def tag(self) -> str:
        """Changes with any text here: stored fragments showing them are valid for one tag."""
        seed = repr(
            (
                self.locale,
                sorted(self.consultations.items()),
                sorted(self.sections.items()),
                sorted(self.key_messages.items()),
            )
        )
        return hashlib.sha256(seed.encode()).hexdigest()[:12]


def for_readers_of(consultations: Iterable[Consultation], locale: str) -> list[int]:
    """The consultations a reader of `locale` may need translations of: those in another language."""
    return [consultation.id for consultation in consultations if consultation.language != locale]


async def translations_of(db: AsyncSession, consultations: Iterable[Consultation], locale: str) -> Translations:
    """The `locale` translations of these consultations' titles, sections and key messages,
    in three queries; none (and no query) for readers of the original's language."""
    ids = for_readers_of(consultations, locale)
    if not ids:
        return Translations(locale)
    titles = await db.execute(
        select(
            ConsultationTranslation.consultation_id, ConsultationTranslation.title, ConsultationTranslation.summary
        ).where(ConsultationTranslation.consultation_id.in_(ids), ConsultationTranslation.locale == locale)
    )
    sections = await db.execute(
        select(SectionTranslation.section_id, SectionTranslation.title)
        .join(Section, Section.id == SectionTranslation.section_id)
        .where(Section.consultation_id.in_(ids), SectionTranslation.locale == locale)
    )
    messages = await db.execute(
        select(KeyMessageTranslation.key_message_id, KeyMessageTranslation.text)
        .join(KeyMessage, KeyMessage.id == KeyMessageTranslation.key_message_id)
        .where(KeyMessage.consultation_id.in_(ids), KeyMessageTranslation.locale == locale)
    )
    return Translations(
        locale,
        consultations={row[0]: (row[1], row[2]) for row in titles},
        sections={row[0]: row[1] for row in sections},
        key_messages={row[0]: row[1] for row in messages},
    )
