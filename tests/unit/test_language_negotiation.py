"""Which interface language a request gets (app.i18n): the reader's choice, else the
browser's preference by quality, else English, whatever a header contains."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.i18n import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    from_accept_language,
    language_name,
    negotiate,
    speaking,
    supported,
    text_direction,
)
from app.i18n import current_locale as locale_now


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-BE,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,es;q=0.7,en;q=0.5", "es"),  # German is not offered: the next one
        ("zh-Hans-CN", "zh"),
        ("ZH_tw", "zh"),
        ("en;q=0.5, ar;q=0.9", "ar"),  # quality first, not order
        ("ru, nl", "ru"),  # equal quality: the browser's order
        ("*", None),
        ("nl;q=0, fr;q=0.1", "fr"),  # q=0: "not Dutch"
        ("ar;q=nan, es;q=inf, ru;q=2, fr;q=x, en;q=0.1", "en"),  # no quality outside (0, 1]
        ("", None),
        (";;;,,,=;q", None),
        ("pt-BR,pt;q=0.9", None),
    ],
)
def test_the_browsers_preference_by_quality(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_a_chosen_language_wins_over_the_browser_and_nonsense_falls_back_to_english() -> None:
    assert negotiate("nl", "fr") == "nl"
    assert negotiate("klingon", "fr") == "fr"
    assert negotiate(None, None) == DEFAULT_LOCALE
    assert negotiate("", "x" * 100_000) == DEFAULT_LOCALE
    assert supported("ES-419") == "es"


def test_only_the_start_of_a_huge_header_is_read() -> None:
    # A browser sends a few dozen characters; a preference past the limit is not looked for.
    assert from_accept_language("xx," * 1000 + "fr") is None


@given(st.text(max_size=300))
def test_any_header_gives_a_supported_language(header: str) -> None:
    assert negotiate(header, header) in SUPPORTED_LOCALES


def test_arabic_alone_is_written_right_to_left_and_every_language_is_named_in_itself() -> None:
    assert [code for code in SUPPORTED_LOCALES if text_direction(code) == "rtl"] == ["ar"]
    assert language_name("ar") == "العربية"
    assert language_name("fr") == "Français"
    assert language_name("zh") == "中文"
    assert len({language_name(code) for code in SUPPORTED_LOCALES}) == len(SUPPORTED_LOCALES)


def test_speaking_another_language_for_a_while_restores_the_requests_own() -> None:
    token = locale_now.set("fr")
    try:
        with speaking("ru"):
            assert locale_now.get() == "ru"
        with speaking(None):
            assert locale_now.get() == DEFAULT_LOCALE
        assert locale_now.get() == "fr"
    finally:
        locale_now.reset(token)
