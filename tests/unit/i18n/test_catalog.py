"""Every UI string goes through gettext: the committed template catalogue must match
what extraction finds today, so translators see every string; and every language the site
offers translates every one of them, placeholders kept (app.locale_check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.locale_check import problems
from app.settings import PROJECT_ROOT


def message_ids(path: Path) -> set[tuple[str | None, str]]:
    with path.open("rb") as handle:
        return {
            (message.context, message.id if isinstance(message.id, str) else message.id[0])
            for message in read_po(handle)
            if message.id
        }


def test_catalogue_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "pgettext:1c,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    committed = message_ids(PROJECT_ROOT / "app" / "locale" / "messages.pot")
    assert message_ids(fresh) == committed, "run `make messages` and commit app/locale"


def test_english_catalogue_covers_the_template():
    template = message_ids(PROJECT_ROOT / "app" / "locale" / "messages.pot")
    english = message_ids(PROJECT_ROOT / "app" / "locale" / "en" / "LC_MESSAGES" / "messages.po")
    assert template <= english


@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != DEFAULT_LOCALE])
def test_every_offered_language_translates_every_message(locale):
    found = problems(locale)
    assert not found, f"{len(found)} problem(s) in app/locale/{locale}: `python -m app.locale_check {locale}`"


def test_the_checker_notices_what_a_translator_can_get_wrong(tmp_path, monkeypatch):
    """The positive control: a lost placeholder, a missing plural form, an empty or fuzzy
    translation are each found."""
    import app.locale_check as check

    (tmp_path / "xx" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text(
        'msgid "Hello %(name)s"\nmsgstr ""\n\nmsgid "Tea"\nmsgstr ""\n\nmsgid "Sugar"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Milk"\nmsgstr ""\n\n'
        'msgid "%(num)d cup"\nmsgid_plural "%(num)d cups"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    (tmp_path / "xx" / "LC_MESSAGES" / "messages.po").write_text(
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'.join(['msgid ""\nmsgstr ""\n', ""])
        + 'msgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n\nmsgid "Tea"\nmsgstr ""\n\n'
        'msgid "Sugar"\nmsgstr "PL\\tSucre"\n\n'
        '#, fuzzy\nmsgid "Milk"\nmsgstr "Lait"\n\n'
        'msgid "%(num)d cup"\nmsgid_plural "%(num)d cups"\nmsgstr[0] "%(num)d tasse"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(check, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(check, "TEMPLATE", tmp_path / "messages.pot")
    found = " | ".join(check.problems("xx"))
    assert "placeholders differ" in found and "'Hello %(name)s'" in found
    assert "untranslated: 'Tea'" in found and "fuzzy: 'Milk'" in found
    assert "control characters the English does not have: 'Sugar'" in found
    assert "needs 2 plural forms" in found or "untranslated: '%(num)d cup'" in found
