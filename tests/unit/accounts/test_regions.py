"""The UN M49 table shipped in app/accounts/data/un-m49.csv."""

from __future__ import annotations

import pycountry

from app.accounts.regions import m49_region, m49_table
from app.organisations.labels import region_label

M49_REGIONS = {"002", "019", "142", "150", "009", "010"}


def test_every_iso_3166_country_has_a_region():
    missing = [c.alpha_2 for c in pycountry.countries if m49_region(c.alpha_2) is None]
    assert missing == []
    assert {entry.region for entry in m49_table().values()} == M49_REGIONS


def test_regions_read_as_people_expect():
    assert region_label("SN") == "Africa — Western Africa"
    assert region_label("FR") == "Europe — Western Europe"
    assert region_label("BR") == "Americas — South America"
    assert region_label("AQ") == "Antarctica"
    assert region_label("ZZ") == ""
