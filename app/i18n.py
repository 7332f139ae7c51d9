"""Translation of UI strings (Babel catalogues in app/locale) and locale-aware formatting.

The active locale lives in a context variable, so each request can pick its own later
without touching call sites."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal as babel_format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
#: The UN's six official languages in the UN's order, then Dutch (the communication's own).
SUPPORTED_LOCALES = ("ar", "zh", "en", "fr", "ru", "es", "nl")
#: A header longer than this is not a browser's; only its start is read.
ACCEPT_LANGUAGE_MAX_CHARS = 1000
#: Where the consultations are run: their opening and closing are shown in this zone.
BRUSSELS = ZoneInfo("Europe/Brussels")

T = TypeVar("T")

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


def pgettext(context: str, message: str, **variables: object) -> str:
    """A message whose English is also another message's ("Roundtable": the site's name, and
    one of the dialogue's roundtables), told apart by `context` for translators."""
    text = str(translations_for(current_locale.get()).pgettext(context, message))
    return text % variables if variables else text


_ = gettext


def supported(value: str | None) -> str | None:
    """The supported locale a tag names ("fr", "fr-BE", "zh-Hans-CN", "ZH_tw"), or None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def from_accept_language(header: str | None) -> str | None:
    """The supported language the reader's browser prefers most (RFC 9110 quality values;
    equal qualities keep the browser's order), or None. Malformed entries are skipped."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header[:ACCEPT_LANGUAGE_MAX_CHARS].split(",")):
        tag, _separator, parameters = entry.partition(";")
        quality = 1.0
        name, _equals, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
            if not 0 < quality <= 1:  # q=0 means "not this one"; nan and inf are not qualities
                continue
        locale = supported(tag)
        if locale is not None:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The interface language: the one the reader chose (a cookie), else their browser's
    preference, else English."""
    return supported(chosen) or from_accept_language(accept_language) or DEFAULT_LOCALE


@cache
def text_direction(locale: str) -> str:
    """ "rtl" for a language written right to left (Arabic), else "ltr"."""
    return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"


@cache
def language_name(locale: str) -> str:
    """A language's name in itself ("Français", "العربية"), as a switcher offers it."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


@contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Translate and format in `locale` for a while (a mail to someone who reads another
    language than the person whose request sends it)."""
    token = current_locale.set(supported(locale) or DEFAULT_LOCALE)
    try:
        yield
    finally:
        current_locale.reset(token)


def cached_per_locale(build: Callable[[], T]) -> Callable[[], T]:
    """Build a value (e.g. a table of translated labels) once per locale, not per call."""
    built: dict[str, T] = {}

    def get() -> T:
        locale = current_locale.get()
        if locale not in built:
            built[locale] = build()
        return built[locale]

    return get


@cache
def _medium_datetime_patterns(locale_name: str) -> tuple[Locale, str, DateTimePattern, DateTimePattern]:
    locale = Locale.parse(locale_name)
    combined = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return locale, combined, get_time_format("medium", locale=locale), get_date_format("medium", locale=locale)


def format_datetime_brussels(value: datetime) -> str:
    """A date and time in Brussels, where the consultations are run, with its offset from
    UTC ("Oct 3, 2013, 11:05:07 AM (UTC+02:00)"), so readers anywhere know what it means.

    Equivalent to Babel's format_datetime(format="medium"), with the locale's patterns
    parsed once: a page shows a hundred timestamps."""
    if value.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        value = value.replace(tzinfo=UTC)
    return _format_medium_brussels(current_locale.get(), value.astimezone(UTC))


#: Enough for the contributions one render shows in several variants (anonymous, signed in,
#: moderating). Rendered contributions are stored (app.discussion.web.stored_articles), so a
#: time is formatted again only when its article is: a memo of every time ever shown (8,192
#: held 2.7 MB in each worker) would keep what is seldom asked for again.
FORMATTED_TIMES_KEPT = 1024


@lru_cache(maxsize=FORMATTED_TIMES_KEPT)
def _format_medium_brussels(locale_name: str, value: datetime) -> str:
    """A pure function of its arguments, memoised: a page shows the same times to each of
    its audiences."""
    locale, combined, time_pattern, date_pattern = _medium_datetime_patterns(locale_name)
    local = value.astimezone(BRUSSELS)
    text = combined.replace("{0}", time_pattern.apply(local, locale)).replace("{1}", date_pattern.apply(local, locale))
    return f"{text} ({utc_offset(local)})"


def utc_offset(local: datetime) -> str:
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def format_number(value: int | float) -> str:
    """A count as the reader's language writes it ("12,345", "12 345", "12.345")."""
    return babel_format_decimal(value, locale=current_locale.get())


def format_date_long(value: date) -> str:
    return babel_format_date(value, format="long", locale=current_locale.get())


def format_instant_brussels(value: datetime) -> str:
    """An opening or closing instant in Brussels time, with the zone's name and its offset
    from UTC ("October 1, 2026, 12:00 CEST (UTC+02:00)"), so no reader has to guess which
    noon a deadline means, in winter or summer time."""
    if value.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(BRUSSELS)
    locale = current_locale.get()
    offset = utc_offset(local)
    return gettext(
        "%(date)s, %(time)s %(zone)s (UTC%(offset)s)",
        date=babel_format_date(local.date(), format="long", locale=locale),
        time=babel_format_time(local.time(), "HH:mm", locale=locale),
        zone=local.tzname() or "",
        offset=offset.removeprefix("UTC"),
    )
