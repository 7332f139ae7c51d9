"""The first page of a discussion is rendered once per version and shared through the
database; every change to the discussion makes old fragments unusable."""

from __future__ import annotations

from sqlalchemy import select, update

from app.fragments import RenderedFragment, code_signature
from app.moderation.models import ModerationAction
from app.moderation.services import set_visibility
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import sign_in, soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def stored(db) -> dict[str, RenderedFragment]:
    return {f.key: f for f in (await db.scalars(select(RenderedFragment).execution_options(populate_existing=True)))}


async def test_first_page_is_stored_and_then_served_from_the_store(client, db, consultation):
    await make_position(db, consultation, author=await make_user(db), body="Stored once.")
    await db.commit()
    first = await client.get(KM)
    fragments = await stored(db)
    pages = {key: fragment for key, fragment in fragments.items() if key.startswith("km:")}
    assert {key.rsplit(":", 1)[1] for key in pages} == {"threads", "tally", "amendments", "text"}
    assert all(f.version.endswith(code_signature()) for f in pages.values())
    # Prove the next reader gets the stored HTML, not a fresh render.
    threads_key = next(k for k in fragments if k.endswith(":threads"))
    await db.execute(
        update(RenderedFragment)
        .where(RenderedFragment.key == threads_key)
        .values(html=fragments[threads_key].html.replace("Stored once.", "Served from the store."))
    )
    await db.commit()
    second = await client.get(KM)
    assert "Stored once." in first.text and "Served from the store." in second.text


async def test_a_new_position_or_reply_shows_at_once(client, db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author, body="First words.")
    await db.commit()
    assert "First words." in (await client.get(KM)).text
    await make_position(db, consultation, author=author, body="Second words.")
    await make_reply(db, author=author, parent=root, body="A reply.")
    await db.commit()
    text = visible_text(await client.get(KM))
    assert "Second words." in text and "A reply." in text


async def test_hiding_removes_the_text_from_every_cached_view(client, other_client, db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db), body="Offensive words.")
    await db.commit()
    await sign_in(other_client, moderator.email, PASSWORD)
    assert "Offensive words." in (await client.get(KM)).text  # cached for anonymous readers
    assert "Offensive words." in (await other_client.get(KM)).text  # and for moderators
    await set_visibility(
        db, moderator=moderator, contribution=contribution, action=ModerationAction.HIDE, reason="Insulting language."
    )
    await db.commit()
    anonymous = await client.get(KM)
    assert "Offensive words." not in anonymous.text and "Insulting language." in anonymous.text
    moderator_view = soup(await other_client.get(KM))
    assert "Offensive words." in moderator_view.select_one(f"#c{contribution.id} details").get_text()


async def test_what_a_viewer_may_do_is_part_of_the_key(client, other_client, db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    participant = await make_user(db)
    await db.commit()
    await client.get(KM)  # anonymous first: no reply links in its fragment
    await sign_in(other_client, participant.email, PASSWORD)
    reply = soup(await other_client.get(KM)).select_one(f"#c{contribution.id} a[href$='/reply']")
    assert reply is not None
    assert soup(await client.get(KM)).select_one(f"#c{contribution.id} a[href$='/reply']") is None
    assert {key.rsplit(":", 2)[1] for key in await stored(db) if key.startswith("km:")} == {
        "con0end0mod0rep0ret0see0u0n0",
        "con1end1mod0rep1ret0see0u0n0",
    }
