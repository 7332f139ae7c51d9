"""Unofficial translations of the text under consultation (issue 13): a reader whose language
has one reads it, marked as unofficial, with the Dutch original one click away (no script
needed) and in lang="nl"; Dutch readers see only the original; quotes and proposed wording
always work on the original; stored fragments show each language its own translation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.consultation.models import ConsultationTranslation, KeyMessage, KeyMessageTranslation, SectionTranslation
from app.i18n import gettext, speaking
from app.text.footnotes import FOOTNOTE_MARKER, sentences, strip_footnote_markers
from app.web.language import LANGUAGE_COOKIE
from tests.factories import PASSWORD, key_message, make_user
from tests.support import post_form, sign_in, soup

CONSULTATION = "/consultations/com-2013-292"
REF = "RT1-KM2"  # cites footnote 7
KM = f"{CONSULTATION}/messages/{REF}"
NOTE = "Unofficial translation. The Dutch original is authoritative."


def reading(client, locale: str) -> None:
    client.cookies.set(LANGUAGE_COOKIE, locale)


def as_shown(text: str) -> str:
    """A text as the page's text reads it: each [^n] marker is the number n, superscript."""
    return FOOTNOTE_MARKER.sub(r"\1", text)


async def translated(db, ref: str, locale: str) -> str:
    text = await db.scalar(
        select(KeyMessageTranslation.text)
        .join(KeyMessage)
        .where(KeyMessage.ref == ref, KeyMessageTranslation.locale == locale)
    )
    assert text is not None
    return text


def original_behind_the_note(details) -> tuple[str, str, str]:
    """(the note, the original's lang, its text) of a closed <details class="original-text">."""
    assert details is not None and details.name == "details" and "original-text" in details["class"]
    assert not details.has_attr("open"), "the original is one click away, not in the way"
    original = details.select_one(":scope > p")
    return details.select_one("summary .unofficial").get_text(" ", strip=True), original["lang"], original.get_text()


@pytest.mark.parametrize(("locale", "language"), [("fr", "néerlandais"), ("ar", "الهولندية"), ("en", "Dutch")])
async def test_the_roundtable_page_shows_the_translation_marked_with_the_original_behind_it(
    client, db, consultation, locale, language
):
    reading(client, locale)
    page = soup(await client.get(f"{CONSULTATION}/roundtables/RT1"))
    rt1 = next(s for s in consultation.sections if s.ref == "RT1")
    title = await db.scalar(
        select(SectionTranslation.title).where(
            SectionTranslation.section_id == rt1.id, SectionTranslation.locale == locale
        )
    )
    h1 = page.select_one("h1")
    assert (h1["lang"], h1.get_text()) == (locale, title)
    assert page.select_one("title").get_text().startswith(title)
    note, lang, text = original_behind_the_note(h1.find_next_sibling())
    assert (lang, text) == ("nl", rt1.title)
    assert language in note  # the original's language, named in the reader's
    if locale == "en":
        assert note == NOTE
    for message in rt1.key_messages:
        shown = page.select_one(f"li#{message.ref} p[lang={locale}]")
        assert shown.get_text() == as_shown(await translated(db, message.ref, locale))
        note, lang, text = original_behind_the_note(shown.find_next_sibling())
        assert (lang, text) == ("nl", as_shown(message.text))


async def test_the_consultation_page_and_the_list_show_the_translated_titles(client, db, consultation):
    reading(client, "es")
    spanish_title = await db.scalar(select(ConsultationTranslation.title).where(ConsultationTranslation.locale == "es"))
    page = soup(await client.get(CONSULTATION))
    h1 = page.select_one("h1")
    assert (h1["lang"], h1.get_text()) == ("es", spanish_title)
    assert original_behind_the_note(h1.find_next_sibling())[1:] == ("nl", consultation.title)
    rt2 = next(s for s in consultation.sections if s.ref == "RT2")
    link = page.select_one(f"h2#s{rt2.id} a")
    assert link["lang"] == "es" and link.get_text().startswith("Mesa redonda 2: Medidas para asegurar")
    assert original_behind_the_note(link.find_parent("h2").find_next_sibling())[1:] == ("nl", rt2.title)
    snippet = page.select_one("a[href$='/messages/RT2-KM1'] + span[lang=es]")
    assert snippet.get_text().startswith("Todos los Estados deben hacer de la protección")
    # Section 6 has no translation: its text is the original's, inside the document in Dutch.
    action = page.select_one("a[href$='/messages/EU-A1']").parent
    assert action.find_parent(lang="nl") is not None and action.select(".original-text") == []
    assert action.get_text().startswith("EU-A1: de acties op de “traditionele” gebieden")

    home = soup(await client.get("/"))
    card = home.select_one(".consultation-card")
    assert card.select_one("h2 a")["lang"] == "es" and card.select_one("h2 a").get_text() == spanish_title
    assert card.select_one("p[lang=es]").get_text().startswith("La Comisión Europea presenta")
    assert [a["lang"] for a in card.select("ol.roundtables a")] == ["es"] * 4


async def test_dutch_readers_see_only_the_original(client, consultation):
    reading(client, "nl")
    for path in ("/", CONSULTATION, f"{CONSULTATION}/roundtables/RT1", KM):
        page = soup(await client.get(path))
        assert page.select(".original-text, .unofficial, .key-message-translation") == [], path
    page = soup(await client.get(f"{CONSULTATION}/roundtables/RT1"))
    assert page.select_one("h1")["lang"] == "nl"


@pytest.mark.parametrize("locale", ["fr", "ar"])
async def test_the_key_message_page_shows_the_translation_above_the_original_it_works_on(
    client, db, consultation, locale
):
    reading(client, locale)
    message = key_message(consultation, REF)
    page = soup(await client.get(KM))
    block = page.select_one(".key-message-translation")
    with speaking(locale):
        note = gettext("Unofficial translation. The %(language)s original is authoritative.", language="")
    # The note in the reader's language (its first words, before the original's language).
    assert note.split("%")[0][:12] in block.select_one(".unofficial").get_text()
    assert "Unofficial translation" not in block.select_one(".unofficial").get_text()
    quote = block.select_one("blockquote")
    assert quote["lang"] == locale and quote.get_text() == as_shown(await translated(db, REF, locale))
    assert quote.select_one("sup.fn-ref a[href='#fn-7']") is not None, "the footnote stays linked"
    # The original stays whole, in Dutch, and it is what quoting selects from.
    original = page.select_one("blockquote.key-message-text")
    assert original["lang"] == "nl" and original.select_one("[data-quote-source]").get_text() == as_shown(message.text)
    assert block.find_next_siblings("blockquote") == [original], "the translation comes first"
    assert page.select_one("#fn-7")["lang"] == "nl"
    crumb = page.select_one("nav.breadcrumb a[href$='/roundtables/RT1']")
    assert crumb["lang"] == locale and crumb.get_text() == await db.scalar(
        select(SectionTranslation.title).where(
            SectionTranslation.section_id == message.section_id, SectionTranslation.locale == locale
        )
    )


async def test_quotes_and_proposed_wording_use_the_original_for_a_translation_reader(client, db, consultation):
    user = await make_user(db)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)
    reading(client, "fr")
    message = key_message(consultation, REF)
    page = soup(await client.get(KM))
    assert page.select_one(".key-message-translation") is not None
    select_quote = page.select_one("#contribution-form select[name=quote_text]")
    assert select_quote["lang"] == "nl"
    assert [o["value"] for o in select_quote.select("option")][1:] == sentences(message.text)
    wording = page.select_one("#contribution-form textarea[name=amendment_text]")
    assert wording["lang"] == "nl" and wording.get_text().strip() == strip_footnote_markers(message.text)

    chosen = sentences(message.text)[1]
    response = await post_form(
        client,
        f"{KM}/contributions",
        {"position": "oppose", "body": "Trop loin.", "quote_text": chosen, "submission_key": "t" * 12},
    )
    assert response.status_code == 303, response.text
    page = soup(await client.get(KM))
    assert [mark.get_text() for mark in page.select("[data-quote-source] mark")] == [chosen]
    assert page.select(".key-message-translation mark") == []


async def test_stored_text_is_per_language_and_follows_a_changed_translation(client, other_client, db, consultation):
    reading(client, "fr")
    reading(other_client, "es")
    for _ in range(2):  # the second time from the stored fragments
        assert soup(await client.get(KM)).select_one(".key-message-translation blockquote")["lang"] == "fr"
        assert soup(await other_client.get(KM)).select_one(".key-message-translation blockquote")["lang"] == "es"
    row = await db.scalar(
        select(KeyMessageTranslation)
        .join(KeyMessage)
        .where(KeyMessage.ref == REF, KeyMessageTranslation.locale == "fr")
    )
    row.text = "Une traduction revue[^7]."
    await db.commit()  # written behind the loader's back: no fragment is cleared
    shown = soup(await client.get(KM)).select_one(".key-message-translation blockquote")
    assert shown.get_text() == "Une traduction revue7."
