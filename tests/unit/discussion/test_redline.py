"""The redline: a word-level comparison of a key message with the wording an amendment proposes."""

from __future__ import annotations

import unicodedata

from bs4 import BeautifulSoup
from markupsafe import Markup

from app.discussion.redline import REWRITE_BELOW, Chunk, chunks, redline, tokens, word_chunks
from app.i18n import speaking
from app.settings import PROJECT_ROOT


def marks(html: str) -> list[tuple[str, str]]:
    """(tag, visible text) of each deletion and insertion, in order."""
    page = BeautifulSoup(html, "html.parser")
    found = []
    for element in page.find_all(["del", "ins"]):
        for hidden in element.select(".visually-hidden"):
            hidden.extract()
        found.append((element.name, element.get_text()))
    return found


def visible(html: str) -> str:
    """The text a sighted reader sees (struck and underlined words included)."""
    page = BeautifulSoup(html, "html.parser")
    for hidden in page.select(".visually-hidden"):
        hidden.extract()
    return page.get_text()


def new_reading(html: str) -> str:
    """The proposed wording, read back from the redline: everything but the deletions."""
    page = BeautifulSoup(html, "html.parser")
    for element in [*page.select(".visually-hidden"), *page.find_all("del")]:
        element.extract()
    return " ".join(page.get_text().split())


def old_reading(html: str) -> str:
    page = BeautifulSoup(html, "html.parser")
    for element in [*page.select(".visually-hidden"), *page.find_all("ins")]:
        element.extract()
    return " ".join(page.get_text().split())


def test_tokens_keep_words_spaces_and_each_punctuation_mark_apart():
    assert tokens("Alle staten, ook  België!") == ["Alle", " ", "staten", ",", " ", "ook", "  ", "België", "!"]
    assert "".join(tokens("a-b  c.\nd")) == "a-b  c.\nd"


def test_unchanged_text_has_no_marks():
    text = "Alle staten moeten de mensenrechten van migranten eerbiedigen."
    html = redline(text, text)
    assert isinstance(html, Markup)
    assert marks(html) == []
    assert visible(html) == text


def test_a_changed_word_is_deleted_then_inserted():
    html = redline("Alle staten moeten migranten beschermen.", "Alle lidstaten moeten migranten beschermen.")
    assert marks(html) == [("del", "staten"), ("ins", "lidstaten")]
    assert new_reading(html) == "Alle lidstaten moeten migranten beschermen."
    assert old_reading(html) == "Alle staten moeten migranten beschermen."


def test_each_change_is_announced_to_screen_readers():
    page = BeautifulSoup(redline("de oude tekst", "de nieuwe tekst"), "html.parser")
    deleted, inserted = page.find("del"), page.find("ins")
    assert deleted.find("span", class_="visually-hidden").get_text().strip() == "deleted:"
    assert inserted.find("span", class_="visually-hidden").get_text().strip() == "inserted:"
    assert deleted.get_text(" ", strip=True) == "deleted: oude (end of deletion)"
    assert inserted.get_text(" ", strip=True) == "inserted: nieuwe (end of insertion)"


def test_punctuation_changes_show_as_punctuation():
    html = redline("Migranten, asielzoekers en vluchtelingen.", "Migranten; asielzoekers en vluchtelingen!")
    assert marks(html) == [("del", ","), ("ins", ";"), ("del", "."), ("ins", "!")]
    assert new_reading(html) == "Migranten; asielzoekers en vluchtelingen!"


def test_a_hyphen_replaced_by_a_space_keeps_the_words_apart():
    html = redline("niet-begeleide minderjarigen", "niet begeleide minderjarigen")
    assert marks(html) == [("del", "-")]
    assert new_reading(html) == "niet begeleide minderjarigen"


def test_adjacent_changed_words_merge_into_one_change():
    html = redline(
        "De staten moeten snel en krachtig optreden.", "De staten moeten voorzichtig maar vastberaden optreden."
    )
    assert marks(html) == [("del", "snel en krachtig"), ("ins", "voorzichtig maar vastberaden")]


def test_separate_changes_stay_separate():
    html = redline(
        "Alle staten moeten de waardigheid van migranten eerbiedigen en beschermen.",
        "Alle lidstaten moeten de waardigheid van migranten eerbiedigen en versterken.",
    )
    assert marks(html) == [("del", "staten"), ("ins", "lidstaten"), ("del", "beschermen"), ("ins", "versterken")]


def test_an_insertion_alone_and_a_deletion_alone():
    inserted = redline("bescherming van migranten", "bescherming van alle migranten")
    assert marks(inserted) == [("ins", "alle")]
    assert new_reading(inserted) == "bescherming van alle migranten"
    deleted = redline("bescherming van alle migranten", "bescherming van migranten")
    assert marks(deleted) == [("del", "alle")]
    assert new_reading(deleted) == "bescherming van migranten"


def test_marks_hold_words_not_the_spaces_around_them():
    html = str(redline("de grote stad", "de stad"))
    assert "<del>" in html and "grote<span" in html
    assert visible(html) == "de grote stad"


def test_all_new_text_is_one_deletion_and_one_insertion():
    original = "Alle staten moeten de waardigheid en de rechten van migranten eerbiedigen."
    proposed = "Iedereen heeft recht op een goed leven in de stad en op het land."
    assert marks(redline(original, proposed)) == [("del", original), ("ins", proposed)]


def test_wording_for_an_empty_text_is_all_inserted():
    assert marks(redline("", "Nieuwe tekst.")) == [("ins", "Nieuwe tekst.")]


def test_a_rewrite_is_told_apart_from_an_edit_by_the_share_of_unchanged_letters():
    base = "een twee drie vier vijf zes zeven acht negen tien"
    few_kept = "een X Y Z W V U T S R Q P O N M L K"
    assert len(chunks(base, few_kept)) == 1
    assert len(chunks(base, base.replace("vijf", "VIJF"))) > 1
    assert 0 < REWRITE_BELOW < 1


def test_html_in_the_wording_is_escaped():
    html = str(redline("Migranten beschermen.", "Migranten <script>alert(1)</script> beschermen & helpen."))
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; helpen" in html
    assert new_reading(html) == "Migranten <script>alert(1)</script> beschermen & helpen."


def test_html_in_the_key_message_is_escaped_too():
    html = str(redline("A <b>bold</b> claim.", "A bold claim."))
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_dutch_diacritics_stay_inside_their_words():
    html = redline(
        "informatie voor (potentiële) migranten over hun coördinatie", "informatie voor potentiële migranten"
    )
    assert ("del", "potentiële") not in marks(html), "the word with a diaeresis is unchanged"
    assert new_reading(html) == "informatie voor potentiële migranten"
    assert marks(redline("de geïntegreerde aanpak", "de geintegreerde aanpak")) == [
        ("del", "geïntegreerde"),
        ("ins", "geintegreerde"),
    ]


def test_decomposed_accents_compare_equal_to_composed_ones():
    composed = "Één coördinatie voor België."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert marks(redline(composed, decomposed)) == []


def test_footnote_markers_and_spacing_of_the_key_message_are_ignored():
    html = redline("Migranten[^12] moeten\n  beschermd worden.", "Migranten moeten beschermd worden.")
    assert marks(html) == []
    assert visible(html) == "Migranten moeten beschermd worden."


def rebuilt(found: list[Chunk]) -> tuple[str, str]:
    """Both texts read back from the chunks."""
    return "".join(c.deleted for c in found), "".join(c.inserted for c in found)


def test_the_longest_text_with_two_edits_far_apart_shows_just_those_edits():
    text = " ".join((PROJECT_ROOT / "seeds" / "COM-2013-292-nl.txt").read_text().split())[3000:13000]
    edited = text.replace(text[2000:2010], "EERSTE", 1).replace(text[8000:8010], "TWEEDE", 1)
    found = word_chunks(text, edited)
    assert rebuilt(found) == (text, edited)
    changes = [c for c in found if c.changed]
    assert len(changes) == 2
    assert "EERSTE" in changes[0].inserted and "TWEEDE" in changes[1].inserted
    assert all(len(c.deleted) < 30 and len(c.inserted) < 30 for c in changes)  # the edits, not the text between


def test_a_spent_budget_leaves_the_rest_as_one_change():
    old, new = (
        "Alle staten moeten nu en later migranten beschermen.",
        "Alle staten moeten later nu migranten beschermen.",
    )
    found = word_chunks(old, new, budget=0)
    assert rebuilt(found) == (old, new)
    assert [(c.deleted, c.inserted) for c in found if c.changed] == [("nu en later", "later nu")]


def test_text_made_to_be_slow_to_compare_is_still_compared_correctly():
    """difflib needs hours for these (its work grows faster than the square of the length):
    the budget cuts it short, and what is left shows as changed."""
    old, new = "a b c d " * 1250, "d c b a " * 1250
    found = word_chunks(old, new)
    assert rebuilt(found) == (old, new)
    assert any(c.changed for c in found)


def test_announced_words_are_in_the_readers_language_inside_the_original() -> None:
    """The redline sits in an element in the key message's language (lang="nl"); the words a
    screen reader announces are the interface's, so they carry its language."""
    with speaking("ar"):
        page = BeautifulSoup(str(redline("Alle staten moeten", "Alle lidstaten moeten")), "html.parser")

    assert {span["lang"] for span in page.select(".visually-hidden")} == {"ar"}
