"""The words a spreadsheet shows instead of the export's codes, in the export's language, and
the amendment's redline as plain text.

Labels come from the site's own (app.organisations.labels, app.discussion.labels) where it has
them; country and language names from Babel's data for the language (the site's English
names from pycountry in English, so a file and the pages agree)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from app.accounts.labels import country_name_in
from app.accounts.regions import m49_region
from app.discussion.labels import stakeholder_label
from app.discussion.models import ContributionStatus, PublicationConsent
from app.discussion.redline import REDLINE_BUDGET, chunks, comparable
from app.i18n import DEFAULT_LOCALE, _, cached_per_locale, current_locale
from app.organisations.labels import m49_name
from app.text.footnotes import strip_footnote_markers


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Labels in `language` while the block runs (in this thread's context)."""
    token = current_locale.set(language)
    try:
        yield
    finally:
        current_locale.reset(token)


@cached_per_locale
def status_labels() -> dict[ContributionStatus, str]:
    return {
        ContributionStatus.VISIBLE: _("Visible"),
        ContributionStatus.HIDDEN: _("Hidden by a moderator"),
        ContributionStatus.WITHDRAWN: _("Withdrawn by its author"),
    }


@cached_per_locale
def publication_labels() -> dict[PublicationConsent, str]:
    return {
        PublicationConsent.NAMED: _("Named"),
        PublicationConsent.ORGANISATION_ONLY: _("Organisation only"),
        PublicationConsent.ANONYMOUS: _("Anonymous"),
        PublicationConsent.NOT_FOR_PUBLICATION: _("Not for publication"),
    }


@cached_per_locale
def position_status_labels() -> dict[str | None, str]:
    return {"current": _("Current"), "superseded": _("Superseded"), None: ""}


@cached_per_locale
def yes_no() -> dict[bool, str]:
    return {True: _("Yes"), False: _("No")}


@cached_per_locale
def individual_label() -> str:
    """A contribution made without an organisation (the tallies' bucket is plural)."""
    return _("Individual (no organisation)")


def stakeholder_type_label(kind: str) -> str:
    """An organisation type's label, or "individual" and "undisclosed" (app.discussion.tallies)."""
    return individual_label() if kind == "individual" else stakeholder_label(kind)


def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return None


@lru_cache(maxsize=4096)
def country_label(code: str, language: str) -> str:
    """A country's name in the language; the code itself for a code nobody knows."""
    if _locale(language) is None:
        return country_name_in(code, DEFAULT_LOCALE)
    return country_name_in(code, language)


def region_label(country: str) -> str:
    """The UN M49 sub-region (or intermediate region) of the country, "Western Africa"."""
    found = m49_region(country)
    return m49_name(found.area) if found else ""


@lru_cache(maxsize=256)
def language_label(code: str, language: str) -> str:
    locale = _locale(language)
    return (locale.languages.get(code) if locale else None) or code


@lru_cache(maxsize=2048)
def redline_text(original: str, proposed: str) -> str:
    """`proposed` against `original` (a key message text) in the notation of `wdiff` and
    `git diff --word-diff=plain`: [-deleted words-]{+inserted words+}. The same comparison,
    and the same bound on its work, as the redline on the pages (app.discussion.redline).
    Remembered: a campaign's members propose the same wording."""
    parts: list[str] = []
    for chunk in chunks(comparable(strip_footnote_markers(original)), comparable(proposed), REDLINE_BUDGET):
        if not chunk.changed:
            parts.append(chunk.deleted)
            continue
        deleted, inserted = chunk.deleted.strip(), chunk.inserted.strip()
        spaced = chunk.inserted or chunk.deleted
        if spaced.isspace():  # a space took the place of the deleted text
            before, after = "", spaced
        else:
            before, after = spaced[: len(spaced) - len(spaced.lstrip())], spaced[len(spaced.rstrip()) :]
        parts += [before, f"[-{deleted}-]" if deleted else "", f"{{+{inserted}+}}" if inserted else "", after]
    return "".join(parts)
