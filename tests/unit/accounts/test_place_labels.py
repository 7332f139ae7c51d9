"""Country names in the reader's language, their order, and the country a person typed."""

from __future__ import annotations

import pytest

from app.accounts.labels import collation_key, countries, country_code_named, country_name, country_name_in
from app.i18n import speaking
from app.organisations.directory import SEARCH_MAX_WORDS, SEARCH_QUERY_MAX_CHARS, search_words


def test_country_names_follow_the_language_and_english_keeps_the_iso_names():
    assert country_name_in("SN", "fr") == "Sénégal"
    assert country_name_in("SN", "ar") == "السنغال"
    assert country_name_in("SN", "zh") == "塞内加尔"
    assert country_name_in("KR", "en") == "Korea, Republic of"  # as exports have always said
    assert country_name_in("XX", "fr") == "XX"
    with speaking("ru"):
        assert country_name("SN") == "Сенегал"


def test_lists_are_sorted_with_accents_as_secondary():
    with speaking("fr"):
        names = [name for _code, name in countries()]
    assert names.index("Égypte") < names.index("Équateur") < names.index("Espagne") < names.index("Fidji")
    assert collation_key("Émirats") < collation_key("Equateur") < collation_key("Zambie")


@pytest.mark.parametrize(
    ("locale", "typed", "code"),
    [
        ("fr", "sénégal", "SN"),
        ("fr", "  SENEGAL ", "SN"),  # English works in every language
        ("fr", "sn", "SN"),
        ("ar", "السنغال", "SN"),
        ("en", "Cote d'Ivoire", "CI"),
        ("en", "Atlantis", None),
        ("en", "", None),
    ],
)
def test_a_country_is_found_by_the_name_a_person_types(locale, typed, code):
    with speaking(locale):
        assert country_code_named(typed) == code


def test_search_words_drop_control_characters_and_are_bounded():
    assert search_words("  Forum\x00 des\u200b  SÉNÉGALAIS ") == ["forum", "des", "senegalais"]
    assert search_words("%_") == ["%_"]
    assert len("".join(search_words("a" * 10_000))) == SEARCH_QUERY_MAX_CHARS
    assert len(search_words("a b c d e f g h")) == SEARCH_MAX_WORDS
