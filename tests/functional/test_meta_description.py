"""Every page says in a sentence what it is (issue 13): `<meta name="description">`, what
search results and shared links show under the title; the consultation and key message pages
say which ones."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.consultation.models import ConsultationTranslation, KeyMessage, KeyMessageTranslation
from app.web.language import LANGUAGE_COOKIE
from tests.support import soup

SLUG = "com-2013-292"
REF = "RT2-KM3"
KM = f"/consultations/{SLUG}/messages/{REF}"
PAGES = [
    "/",
    f"/consultations/{SLUG}",
    f"/consultations/{SLUG}/roundtables/RT2",
    KM,
    f"{KM}/amendments",
    "/sign-in",
    "/sign-up",
    "/privacy",
    "/no-such-page",
]


def _description(page) -> str:  # type: ignore[no-untyped-def]
    tags = page.select("meta[name=description]")
    assert len(tags) == 1
    return str(tags[0]["content"])


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_has_one_short_description(client, path) -> None:
    description = _description(soup(await client.get(path)))

    assert 40 <= len(description) <= 200, description
    assert "\n" not in description and description == description.strip()


async def test_the_consultation_and_key_message_pages_say_which(client, db, consultation) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "nl")  # the original's readers: the original's words
    default = _description(soup(await client.get("/")))
    about_consultation = _description(soup(await client.get(f"/consultations/{SLUG}")))
    about_message = _description(soup(await client.get(KM)))
    text = await db.scalar(
        select(KeyMessage.text).where(KeyMessage.consultation_id == consultation.id, KeyMessage.ref == REF)
    )

    assert consultation.title[:60] in about_consultation and about_consultation != default
    assert REF in about_message and text[:60] in about_message


async def test_a_translation_reader_gets_the_description_in_the_translation(client, db, consultation) -> None:
    """Where the text has an unofficial translation in the reader's language, the description
    (in the page's language) says it in that translation."""
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    title = await db.scalar(select(ConsultationTranslation.title).where(ConsultationTranslation.locale == "fr"))
    text = await db.scalar(
        select(KeyMessageTranslation.text)
        .join(KeyMessage)
        .where(KeyMessage.ref == REF, KeyMessageTranslation.locale == "fr")
    )
    assert title[:60] in _description(soup(await client.get(f"/consultations/{SLUG}")))
    assert text[:60] in _description(soup(await client.get(KM)))
