"""Translations in the seed file (issue 13): stored per locale, updated in place, removed
when gone from the file; files without any still load; nonsense is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select

from app.consultation.models import (
    ConsultationTranslation,
    KeyMessage,
    KeyMessageTranslation,
    Section,
    SectionTranslation,
)
from app.consultation.seed import SeedError, load_seed, read_seed_file
from app.consultation.services import key_message_in_context
from app.consultation.translations import translations_of
from app.fragments import CLEARED_KEY, RenderedFragment, store_fragments
from tests.conftest import SEED_FILE

UN_LANGUAGES = {"ar", "zh", "en", "fr", "ru", "es"}


def seed() -> dict[str, Any]:
    return copy.deepcopy(read_seed_file(SEED_FILE))


def key_message_data(data: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(m for s in data["sections"] for m in s.get("key_messages", []) if m["ref"] == ref)


def without_translations(data: dict[str, Any]) -> dict[str, Any]:
    data["consultation"].pop("translations", None)
    for section in data["sections"]:
        section.pop("translations", None)
        for message in section.get("key_messages", []):
            message.pop("translations", None)
    return data


async def translations_by_ref(db, locale: str) -> dict[str, str]:
    rows = await db.execute(
        select(KeyMessage.ref, KeyMessageTranslation.text)
        .join(KeyMessageTranslation, KeyMessageTranslation.key_message_id == KeyMessage.id)
        .where(KeyMessageTranslation.locale == locale)
    )
    return {ref: text for ref, text in rows}


async def test_the_seed_carries_the_17_key_messages_and_roundtable_titles_in_the_six_un_languages(db, consultation):
    data = seed()
    for locale in UN_LANGUAGES:
        texts = await translations_by_ref(db, locale)
        assert sorted(texts) == sorted(
            m.ref for s in consultation.sections for m in s.key_messages if m.ref.startswith("RT")
        )
        assert texts == {ref: key_message_data(data, ref)["translations"][locale] for ref in texts}
    titles = await db.execute(
        select(Section.ref, SectionTranslation.locale).join(
            SectionTranslation, SectionTranslation.section_id == Section.id
        )
    )
    expected = {(f"RT{n}", locale) for n in range(1, 5) for locale in UN_LANGUAGES}
    assert {(ref, locale) for ref, locale in titles} == expected
    english = await db.scalar(select(ConsultationTranslation).where(ConsultationTranslation.locale == "en"))
    assert english.title.startswith("Maximising the development impact of migration")
    assert "21 June to 30 September 2013" in english.summary
    # Nothing is translated into the original's own language.
    assert await translations_by_ref(db, "nl") == {}


async def test_translations_keep_the_footnote_markers_of_the_original(db, consultation):
    texts = await translations_by_ref(db, "fr")
    assert "élargi[^7]." in texts["RT1-KM2"] and "par région[^14]" in texts["RT4-KM3"]
    assert all("[^" not in text for ref, text in texts.items() if ref not in {"RT1-KM2", "RT4-KM3"})


async def test_a_second_run_changes_nothing_and_an_edit_is_made_in_place(db, consultation):
    assert (await load_seed(db, seed())).changes == []
    row = await db.scalar(
        select(KeyMessageTranslation)
        .join(KeyMessage)
        .where(KeyMessage.ref == "RT2-KM1", KeyMessageTranslation.locale == "fr")
    )
    data = seed()
    key_message_data(data, "RT2-KM1")["translations"]["fr"] = "Une traduction corrigée."
    await store_fragments(db, {"km:1:fr:anyone:text": ("v1", "<p>L'ancienne traduction.</p>")})
    report = await load_seed(db, data)
    assert report.changes == ["RT2-KM1 translation fr"]
    await db.refresh(row)
    assert row.text == "Une traduction corrigée."
    # Pages stored with the old translation are thrown away with it.
    assert list(await db.scalars(select(RenderedFragment.key))) == [CLEARED_KEY]


async def test_a_translation_gone_from_the_file_is_removed_and_one_added_is_created(db, consultation):
    data = seed()
    del key_message_data(data, "RT1-KM3")["translations"]["ru"]
    key_message_data(data, "EU-A1")["translations"] = {"en": "extend the actions in the 'traditional' areas"}
    data["sections"][5]["translations"] = {"fr": "Ce que l'UE doit faire"}
    data["consultation"]["translations"]["de"] = {"title": "Die Entwicklungswirkung der Migration maximieren"}
    report = await load_seed(db, data)
    assert sorted(report.changes) == sorted(
        [
            "RT1-KM3 translation ru removed",
            "EU-A1 translation en created",
            "section 6 translation fr created",
            "consultation translation de created",
        ]
    )
    assert "RT1-KM3" not in await translations_by_ref(db, "ru")
    german = await db.scalar(select(ConsultationTranslation).where(ConsultationTranslation.locale == "de"))
    assert german.summary == ""


async def test_a_file_without_translations_still_loads_and_drops_them(db, consultation):
    data = without_translations(seed())
    report = await load_seed(db, data)
    assert "RT1-KM1 translation fr removed" in report.changes
    assert await db.scalar(select(func.count()).select_from(KeyMessageTranslation)) == 0
    assert await db.scalar(select(func.count()).select_from(SectionTranslation)) == 0
    fresh = without_translations(seed())
    fresh["consultation"]["slug"] = "untranslated"
    report = await load_seed(db, fresh)
    assert "consultation created" in report.changes and not [c for c in report.changes if "translation" in c]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: key_message_data(d, "RT1-KM1").update(translations={"nl": "Dubbel."}),
            "the original's own language",
        ),
        (lambda d: key_message_data(d, "RT1-KM1").update(translations={"klingon!": "Qapla'"}), "is not a locale"),
        (lambda d: key_message_data(d, "RT1-KM1").update(translations={"fr": "  "}), "the fr translation is empty"),
        (lambda d: key_message_data(d, "RT1-KM1").update(translations=["fr"]), "must map locales to text"),
        (lambda d: d["sections"][1].update(translations={"fr": 3}), "section 2: the fr translation is empty"),
        (lambda d: d["consultation"]["translations"].update(fr={"summary": "Sans titre"}), "needs a `title`"),
        (
            lambda d: d["consultation"]["translations"].update(fr={"title": "T", "text": "?"}),
            "only `title` and `summary`",
        ),
        (lambda d: d["consultation"].update(translations="fr"), "must map locales"),
    ],
)
async def test_translations_that_cannot_be_meant_are_refused(db, consultation, change, message):
    data = seed()
    change(data)
    with pytest.raises(SeedError, match=message):
        await load_seed(db, data)


async def test_a_reader_gets_their_languages_translations_and_a_reader_of_the_original_none(db, consultation):
    french = await translations_of(db, [consultation], "fr")
    rt1 = next(s for s in consultation.sections if s.ref == "RT1")
    message = rt1.key_messages[0]
    assert french.title(consultation).startswith("Maximiser l'incidence de la migration")
    assert french.section_title(rt1).startswith("Table ronde 1")
    assert french.key_message(message).startswith("La migration et la mobilité doivent être reconnues")
    assert french.language_name("nl") == "néerlandais"
    dutch = await translations_of(db, [consultation], "nl")
    assert (dutch.title(consultation), dutch.section_title(rt1), dutch.key_message(message)) == (None, None, None)
    assert french.tag != (await translations_of(db, [consultation], "es")).tag

    found = await key_message_in_context(db, slug=consultation.slug, ref=message.ref, locale="ar")
    assert found is not None and found.translations.key_message(message) == (
        await translations_of(db, [consultation], "ar")
    ).key_message(message)
    assert found.translations.section_title(rt1) is not None
    for locale in ("nl", None):
        plain = await key_message_in_context(db, slug=consultation.slug, ref=message.ref, locale=locale)
        assert plain is not None and plain.translations.key_message(message) is None
