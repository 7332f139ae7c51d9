"""Country and region names in the reader's language (issue 13): the same page in French and
Arabic names Senegal as its readers do, and lists countries in their alphabetical order."""

from __future__ import annotations

import pytest

from app.accounts.labels import collation_key
from tests.factories import make_organisation, make_position, make_user
from tests.support import soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


@pytest.mark.parametrize(
    ("language", "country", "region"),
    [
        ("en", "Senegal", "Africa — Western Africa"),
        ("fr", "Sénégal", "Afrique — Afrique de l'Ouest"),
        ("ar", "السنغال", "أفريقيا — غرب أفريقيا"),
    ],
)
async def test_an_organisation_page_names_its_country_and_region_in_the_readers_language(
    client, db, language, country, region
):
    organisation = await make_organisation(db, name="Forum des Sénégalais", country="SN")
    await db.commit()
    page = await client.get(f"/organisations/{organisation.id}", headers={"Accept-Language": language})
    profile = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in soup(page).select("dl.profile dt")
    }
    assert country in profile.values() and region in profile.values()


async def test_contributions_name_the_country_of_the_organisation_in_the_readers_language(client, db, consultation):
    organisation = await make_organisation(db, name="Forum des Sénégalais", country="SN")
    author = await make_user(db, organisation=organisation)
    await make_position(db, consultation, author=author)
    await db.commit()
    assert "Sénégal" in visible_text(await client.get(KM, headers={"Accept-Language": "fr"}))
    assert "السنغال" in visible_text(await client.get(KM, headers={"Accept-Language": "ar"}))


@pytest.mark.parametrize("language", ["fr", "ar", "ru", "es", "nl", "zh", "en"])
async def test_the_country_list_is_named_and_sorted_in_the_readers_language(client, language):
    page = await client.get("/sign-up", headers={"Accept-Language": language})
    names = [option.get_text(strip=True) for option in soup(page).select("#field-org_country option[value!='']")]
    assert len(names) >= 249
    assert names == sorted(names, key=collation_key)
    if language == "fr":
        # Accents do not send a country to the end of the list.
        assert names.index("Danemark") < names.index("Égypte") < names.index("Érythrée") < names.index("Fidji")
        assert "Sénégal" in names
