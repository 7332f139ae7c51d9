"""Names people chose, set into translated sentences, are isolated with <bdi>: an Arabic name
does not pull the English words after it into right-to-left order, and an English name
keeps its place on an Arabic page. The isolation never lets a name's markup through."""

from __future__ import annotations

from app.consultation.models import Consultation
from tests.factories import PASSWORD, make_position, make_user
from tests.support import sign_in, soup

ARABIC_NAME = "مريم الحسن"
HOSTILE_NAME = "<b onmouseover=alert(1)>Eve</b>"


async def test_the_signed_in_name_is_isolated_in_the_header(client, db) -> None:
    person = await make_user(db, name=ARABIC_NAME)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)

    header = soup(await client.get("/")).select_one("header nav[aria-label=Account]")
    assert header is not None
    isolated = header.select("bdi")
    assert [element.get_text() for element in isolated] == [ARABIC_NAME]
    assert isolated[0].parent.get_text() == f"Signed in as {ARABIC_NAME}"


async def test_markup_in_a_name_stays_text_inside_its_isolation(client, db) -> None:
    person = await make_user(db, name=HOSTILE_NAME)
    await db.commit()
    await sign_in(client, person.email, PASSWORD)

    response = await client.get("/")
    assert "<bdi>&lt;b onmouseover=alert(1)&gt;Eve&lt;/b&gt;</bdi>" in response.text
    assert soup(response).select("header b") == []


async def test_the_name_replied_to_is_isolated(client, db, consultation: Consultation) -> None:
    author = await make_user(db, name=ARABIC_NAME)
    parent = await make_position(db, consultation, author=author, body="A position to answer.")
    reader = await make_user(db, name="Reader Reply")
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)

    heading = soup(await client.get(f"/contributions/{parent.id}/reply")).select_one("main h1")
    assert heading is not None
    assert [element.get_text() for element in heading.select("bdi")] == [ARABIC_NAME]
