"""Publication consent as rules: what a reader may learn of who wrote a contribution, and
which contributions a page may lead them to."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.discussion.models import Contribution, PublicationConsent
from app.discussion.publication import (
    NEGOTIATORS,
    PUBLIC,
    WITHHELD_FILE_NAME,
    Audience,
    byline,
    file_name,
    names_organisation,
)
from app.discussion.thread_read import readable_among
from tests.factories import make_position, make_reply, make_user

MODERATORS = Audience(see_unpublished=True, see_withheld_names=True)
NAME = "Trust for Remittances - our paper by Ama Mensah.pdf"


@pytest.mark.parametrize(
    ("publication", "audience", "shown"),
    [
        (PublicationConsent.NAMED, PUBLIC, NAME),
        (PublicationConsent.ORGANISATION_ONLY, PUBLIC, WITHHELD_FILE_NAME),
        (PublicationConsent.ANONYMOUS, PUBLIC, WITHHELD_FILE_NAME),
        (PublicationConsent.ANONYMOUS, NEGOTIATORS, WITHHELD_FILE_NAME),
        (PublicationConsent.NOT_FOR_PUBLICATION, NEGOTIATORS, NAME),
        (PublicationConsent.ANONYMOUS, MODERATORS, NAME),
    ],
)
def test_a_papers_name_is_shown_only_where_both_names_may_be(publication, audience, shown):
    assert file_name(NAME, byline(publication, audience)) == shown


async def test_an_organisations_page_lists_only_what_names_it(db, consultation):
    author = await make_user(db)
    made = {
        consent: await make_position(db, consultation, author=author, ref=ref, publication=consent.value)
        for consent, ref in zip(PublicationConsent, ("RT2-KM1", "RT2-KM2", "RT2-KM3", "RT2-KM4"), strict=True)
    }
    listed = set(await db.scalars(select(Contribution.id).where(names_organisation(PUBLIC))))
    assert {consent for consent, c in made.items() if c.id in listed} == {
        PublicationConsent.NAMED,
        PublicationConsent.ORGANISATION_ONLY,
    }


async def test_only_what_a_reader_may_open_is_linked(db, consultation):
    author, reader = await make_user(db), await make_user(db)
    unpublished = await make_position(db, consultation, author=author, publication="not_for_publication")
    anonymous = await make_position(db, consultation, author=author, ref="RT2-KM4", publication="anonymous")
    reply = await make_reply(db, author=reader, parent=unpublished)
    ids = [unpublished.id, anonymous.id, reply.id, None]
    assert await readable_among(db, ids, PUBLIC, None) == {anonymous.id, reply.id}
    assert await readable_among(db, ids, PUBLIC, reader.id) == {anonymous.id, reply.id}
    assert await readable_among(db, ids, PUBLIC, author.id) == {unpublished.id, anonymous.id, reply.id}
    assert await readable_among(db, ids, NEGOTIATORS, None) == {unpublished.id, anonymous.id, reply.id}
    assert await readable_among(db, [None], PUBLIC, None) == set()
