"""Human labels for account vocabularies, translated at the time of use."""

from __future__ import annotations

from functools import cache

import pycountry

from app.i18n import _
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
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@cache
def countries() -> list[tuple[str, str]]:
    """(alpha-2 code, name) for every ISO 3166-1 country, sorted by name."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


TEMPLATE_GLOBALS = {
    "country_name": country_name,
    "role_label": role_label,
}
