"""Human labels for organisation vocabularies, translated at the time of use."""

from __future__ import annotations

from app.accounts.regions import m49_region
from app.i18n import _, cached_per_locale
from app.organisations.models import EcosocStatus, OrganisationType


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


def ecosoc_label(value: EcosocStatus | str) -> str:
    return _ecosoc_labels()[EcosocStatus(value)]


@cached_per_locale
def _ecosoc_labels() -> dict[EcosocStatus, str]:
    return {
        EcosocStatus.NONE: _("No consultative status"),
        EcosocStatus.GENERAL: _("General consultative status"),
        EcosocStatus.SPECIAL: _("Special consultative status"),
        EcosocStatus.ROSTER: _("Roster status"),
    }


def region_label(country: str) -> str:
    """ "Africa — Western Africa": the UN M49 region and its most specific grouping."""
    found = m49_region(country)
    if found is None:
        return ""
    names = _m49_names()
    region, area = names.get(found.region, found.region), names.get(found.area, found.area)
    return region if region == area else f"{region} — {area}"


def m49_name(code: str) -> str:
    """The name of a UN M49 region or sub-region by its code ("011": Western Africa)."""
    return _m49_names().get(code, code)


@cached_per_locale
def _m49_names() -> dict[str, str]:
    return {
        "002": _("Africa"),
        "019": _("Americas"),
        "142": _("Asia"),
        "150": _("Europe"),
        "009": _("Oceania"),
        "010": _("Antarctica"),
        "015": _("Northern Africa"),
        "011": _("Western Africa"),
        "014": _("Eastern Africa"),
        "017": _("Middle Africa"),
        "018": _("Southern Africa"),
        "029": _("Caribbean"),
        "013": _("Central America"),
        "005": _("South America"),
        "021": _("Northern America"),
        "143": _("Central Asia"),
        "030": _("Eastern Asia"),
        "035": _("South-eastern Asia"),
        "034": _("Southern Asia"),
        "145": _("Western Asia"),
        "151": _("Eastern Europe"),
        "154": _("Northern Europe"),
        "039": _("Southern Europe"),
        "155": _("Western Europe"),
        "053": _("Australia and New Zealand"),
        "054": _("Melanesia"),
        "057": _("Micronesia"),
        "061": _("Polynesia"),
    }


def fact_label(fact: str) -> str:
    """The label of a checked fact (a profile field whose change ends the verification)."""
    return _fact_labels().get(fact, fact)


@cached_per_locale
def _fact_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "type": _("Type of organisation"),
        "country": _("Country of registration"),
        "website": _("Website"),
        "transparency_register_id": _("EU Transparency Register"),
        "ecosoc_status": _("ECOSOC consultative status"),
        "origin_countries": _("Countries of origin of the communities it represents"),
    }


TEMPLATE_GLOBALS = {
    "organisation_type_label": organisation_type_label,
    "fact_label": fact_label,
    "ecosoc_label": ecosoc_label,
    "region_label": region_label,
    "m49_name": m49_name,
}
