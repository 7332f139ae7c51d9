"""The `translations` of a seed file: unofficial renderings of a consultation's title and
summary, of its sections' titles and of its key messages, per locale. They are data like the
text they translate, matched by locale and updated in place; one gone from the file is
deleted. Old seed files without any still load."""

from __future__ import annotations

from typing import Any, Protocol

from babel import Locale, UnknownLocaleError

from app.consultation.models import (
    Consultation,
    ConsultationTranslation,
    KeyMessage,
    KeyMessageTranslation,
    Section,
    SectionTranslation,
)


class Reporting(Protocol):
    changes: list[str]


class TranslationError(ValueError):
    """A `translations` entry that is not a mapping of locales to text."""


def translated_texts(value: Any, original_language: str, where: str) -> dict[str, str]:
    """`{locale: text}`, checked: locales Babel knows, none the original's, text not blank."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TranslationError(f"{where}: translations must map locales to text")
    texts = {}
    for locale, text in value.items():
        name = _locale(locale, original_language, where)
        if not isinstance(text, str) or not text.strip():
            raise TranslationError(f"{where}: the {name} translation is empty")
        texts[name] = text
    return texts


def consultation_texts(value: Any, original_language: str) -> dict[str, dict[str, str]]:
    """`{locale: {title, summary}}`: a title is required, a summary optional."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TranslationError("consultation: translations must map locales to {title, summary}")
    texts = {}
    for locale, entry in value.items():
        name = _locale(locale, original_language, "consultation")
        if not isinstance(entry, dict) or set(entry) - {"title", "summary"}:
            raise TranslationError(f"consultation: the {name} translation has only `title` and `summary`")
        title, summary = entry.get("title"), entry.get("summary", "")
        if not isinstance(title, str) or not title.strip() or not isinstance(summary, str):
            raise TranslationError(f"consultation: the {name} translation needs a `title`")
        texts[name] = {"title": title, "summary": summary}
    return texts


def _locale(value: Any, original_language: str, where: str) -> str:
    try:
        name = str(Locale.parse(str(value).replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        raise TranslationError(f"{where}: {value!r} is not a locale") from None
    if name == original_language:
        raise TranslationError(f"{where}: a translation into {name}, the original's own language")
    return name


def sync_consultation(consultation: Consultation, texts: dict[str, dict[str, str]], report: Reporting) -> None:
    existing = {row.locale: row for row in consultation.translations}
    for locale, values in texts.items():
        row = existing.pop(locale, None)
        if row is None:
            consultation.translations.append(ConsultationTranslation(locale=locale, **values))
            report.changes.append(f"consultation translation {locale} created")
        elif (row.title, row.summary) != (values["title"], values["summary"]):
            row.title, row.summary = values["title"], values["summary"]
            report.changes.append(f"consultation translation {locale}")
    for locale, row in existing.items():
        consultation.translations.remove(row)
        report.changes.append(f"consultation translation {locale} removed")


def sync_section(section: Section, titles: dict[str, str], report: Reporting) -> None:
    _sync(
        section.translations, titles, "title", lambda **v: SectionTranslation(**v), f"section {section.number}", report
    )


def sync_key_message(message: KeyMessage, texts: dict[str, str], report: Reporting) -> None:
    _sync(message.translations, texts, "text", lambda **v: KeyMessageTranslation(**v), message.ref, report)


def _sync(rows: list[Any], texts: dict[str, str], field: str, make: Any, label: str, report: Reporting) -> None:
    existing = {row.locale: row for row in rows}
    for locale, text in texts.items():
        row = existing.pop(locale, None)
        if row is None:
            rows.append(make(locale=locale, **{field: text}))
            report.changes.append(f"{label} translation {locale} created")
        elif getattr(row, field) != text:
            setattr(row, field, text)
            report.changes.append(f"{label} translation {locale}")
    for locale, row in existing.items():
        rows.remove(row)
        report.changes.append(f"{label} translation {locale} removed")
