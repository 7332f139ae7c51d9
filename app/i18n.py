"""Translation of UI strings (Babel catalogues in app/locale) and locale-aware formatting.

The active locale lives in a context variable, so each request can pick its own later
without touching call sites."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en",)

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations_for(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def gettext(message: str, **variables: object) -> str:
    text = translations_for(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations_for(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def format_datetime_utc(value: datetime) -> str:
    """A date and time in UTC with the zone shown, so readers anywhere know what it means."""
    if value.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        value = value.replace(tzinfo=UTC)
    return babel_format_datetime(value, format="medium", tzinfo=UTC, locale=current_locale.get()) + " UTC"


def format_date_long(value: date) -> str:
    return babel_format_date(value, format="long", locale=current_locale.get())
