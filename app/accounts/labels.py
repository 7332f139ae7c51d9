"""Human labels for account vocabularies, translated at the time of use."""

from __future__ import annotations

from functools import cache

import pycountry

from app.accounts.models import OrganisationType, Role
from app.i18n import _, cached_per_locale


def organisation_type_label(value: OrganisationType | str) -> str:
    return _organisation_type_labels()[OrganisationType(value)]


@cached_per_locale
def _organisation_type_labels() -> dict[OrganisationType, str]:
    return {
        OrganisationType.GOVERNMENT: _("Government"),
        OrganisationType.REGIONAL_LOCAL_AUTHORITY: _("Regional or local authority"),
        OrganisationType.CIVIL_SOCIETY: _("Civil-society organisation"),
        OrganisationType.DIASPORA: _("Diaspora organisation"),
        OrganisationType.INTERNATIONAL: _("International organisation"),
        OrganisationType.TRADE_UNION: _("Trade union"),
        OrganisationType.EMPLOYERS_BUSINESS: _("Employers or business"),
        OrganisationType.ACADEMIA_RESEARCH: _("Academia or research"),
        OrganisationType.OTHER: _("Other"),
    }


def role_label(value: Role) -> str:
    labels = {
        Role.PARTICIPANT: _("Participant"),
        Role.MODERATOR: _("Moderator"),
        Role.NEGOTIATOR: _("Negotiator"),
        Role.ADMIN: _("Administrator"),
    }
    return labels[value]


@cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@cache
def countries() -> list[tuple[str, str]]:
    """(alpha-2 code, name) for every ISO 3166-1 country, sorted by name."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


TEMPLATE_GLOBALS = {
    "organisation_type_label": organisation_type_label,
    "country_name": country_name,
    "role_label": role_label,
}
