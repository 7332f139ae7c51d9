"""A moderator hides and restores through the site; errors keep the form."""

from __future__ import annotations

from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup, visible_text


async def test_moderation_form_errors_and_history(client, db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db), body="Rude words")
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    url = f"/contributions/{contribution.id}/moderate"
    bad = await post_form(client, url, {"action": "hide", "reason": ""})
    assert bad.status_code == 422 and "reason" in field_errors(bad)
    bad_action = await post_form(client, url, {"action": "delete", "reason": "Because I can."})
    assert "action" in field_errors(bad_action)
    done = await post_form(client, url, {"action": "hide", "reason": "Rude to others."})
    assert done.status_code == 303
    page = await client.get(url)
    assert "hide: Rude to others." in visible_text(page)
    again = await post_form(client, url, {"action": "hide", "reason": "Rude to others."})
    assert "Nothing changed" in visible_text(await client.get(again.headers["location"]))


async def test_the_form_offers_only_the_change_that_applies_and_refuses_the_others(client, db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    contribution = await make_position(db, consultation, author=await make_user(db), body="Some words")
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    url = f"/contributions/{contribution.id}/moderate"
    assert [i["value"] for i in soup(await client.get(url)).select("input[name=action]")] == ["hide"]
    for action in ("keep", "retag"):
        refused = await post_form(client, url, {"action": action, "reason": "Not from this form."})
        assert refused.status_code == 422 and "action" in field_errors(refused)
    await post_form(client, url, {"action": "hide", "reason": "Off topic here."})
    assert [i["value"] for i in soup(await client.get(url)).select("input[name=action]")] == ["restore"]
