"""Human labels for account vocabularies, translated at the time of use."""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry
from babel import Locale

from app.i18n import DEFAULT_LOCALE, _, cached_per_locale, current_locale
from app.security.roles import Role


def role_label(value: Role) -> str:
    labels = {
        Role.PARTICIPANT: _("Participant"),
        Role.MODERATOR: _("Moderator"),
        Role.NEGOTIATOR: _("Negotiator"),
        Role.ADMIN: _("Administrator"),
    }
    return labels[value]


@cache
def country_name_in(code: str, locale: str) -> str:
    """A country's name in `locale`: CLDR's (Babel) for every language but English, which
    keeps the ISO 3166 names (pycountry) that exports and earlier pages use; the code itself
    for a code neither knows."""
    country = pycountry.countries.get(alpha_2=code)
    english = country.name if country else code
    if locale == DEFAULT_LOCALE:
        return english
    return Locale.parse(locale).territories.get(code) or english


def country_name(code: str) -> str:
    """A country's name in the reader's language."""
    return country_name_in(code, current_locale.get())


def collation_key(name: str) -> tuple[str, str]:
    """Sort names as a reader expects without a collation library: accents and case are
    secondary ("Émirats" sorts with "E", not after "Z"). Ideographs keep Unicode's
    radical-and-stroke order."""
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(char for char in decomposed if not unicodedata.combining(char))
    return base.casefold(), name


@cached_per_locale
def countries() -> list[tuple[str, str]]:
    """(alpha-2 code, name) for every ISO 3166-1 country, named and sorted in the reader's
    language."""
    named = ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries)
    return sorted(named, key=lambda pair: collation_key(pair[1]))


def country_code_named(name: str) -> str | None:
    """The country a person typed by name (in their language or in English, whatever its
    case and accents) or by its ISO code; None when no country is called so."""
    typed = " ".join(name.split())
    if len(typed) == 2 and typed.upper() in _codes():
        return typed.upper()
    return _codes_by_name().get(collation_key(typed)[0])


@cache
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cached_per_locale
def _codes_by_name() -> dict[str, str]:
    english = {collation_key(country_name_in(code, DEFAULT_LOCALE))[0]: code for code in _codes()}
    return english | {collation_key(name)[0]: code for code, name in countries()}


TEMPLATE_GLOBALS = {
    "country_name": country_name,
    "role_label": role_label,
}
