"""Merging a duplicate thread (issue 11): the merged thread shows where the discussion
continues and takes no new replies; only moderators merge, into a thread that can take it."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from app.discussion.models import Contribution
from app.moderation.models import ModerationAction, ModerationLogEntry, ThreadMerge
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup


async def two_threads(db, consultation):
    author = await make_user(db)
    duplicate = await make_position(db, consultation, author=author, body="Remittances cost too much.")
    deep = await make_reply(db, author=await make_user(db), parent=duplicate, body="They do.")
    kept = await make_position(db, consultation, author=await make_user(db), body="Fees on remittances are high.")
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    return duplicate, deep, kept, moderator


async def replies_to(db, contribution_id: int) -> int:
    return await db.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.parent_id == contribution_id)
    )


async def test_a_merged_thread_links_where_the_discussion_continues_and_takes_no_reply(
    client, other_client, db, consultation
):
    duplicate, deep, kept, moderator = await two_threads(db, consultation)
    participant = await make_user(db)
    await db.commit()
    reader = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    before = await reader.get(f"/contributions/{duplicate.id}")
    assert soup(before).select_one("#merged") is None

    await sign_in(other_client, moderator.email, PASSWORD)
    form = await other_client.get(f"/contributions/{duplicate.id}/merge")
    assert form.status_code == 200
    merged = await post_form(
        other_client,
        f"/contributions/{duplicate.id}/merge",
        {"into": f"http://testserver/contributions/{kept.id}#c{kept.id}", "reason": "Same question, asked twice."},
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/contributions/{duplicate.id}#merged"

    page = await reader.get(f"/contributions/{duplicate.id}", headers={"If-None-Match": before.headers["etag"]})
    assert page.status_code == 200
    notice = soup(page).select_one("#merged")
    assert notice.select_one("a")["href"] == f"/contributions/{kept.id}"
    assert (
        soup(await reader.get(f"/contributions/{deep.id}")).select_one("#merged a")["href"]
        == f"/contributions/{kept.id}"
    )
    assert soup(await reader.get(f"/contributions/{kept.id}")).select_one("#merged") is None

    await sign_in(client, participant.email, PASSWORD)
    for parent in (duplicate, deep):
        refused = await post_form(
            client,
            f"/contributions/{parent.id}/replies",
            {"body": "Late.", "submission_key": f"merged-reply-{parent.id}"},
        )
        assert refused.status_code == 409
        assert soup(refused).select_one(f"main a[href='/contributions/{kept.id}']") is not None
        assert await replies_to(db, parent.id) == (1 if parent is duplicate else 0)
        assert (await client.get(f"/contributions/{parent.id}/reply")).status_code == 409
    accepted = await post_form(
        client, f"/contributions/{kept.id}/replies", {"body": "Here.", "submission_key": "kept-thread-reply-01"}
    )
    assert accepted.status_code == 303

    [entry] = (
        await db.scalars(select(ModerationLogEntry).where(ModerationLogEntry.contribution_id == duplicate.id))
    ).all()
    assert (entry.action, entry.details) == (ModerationAction.MERGE, {"into": kept.id})


async def test_only_moderators_merge_and_only_into_a_thread_that_can_take_it(client, db, consultation):
    duplicate, deep, kept, moderator = await two_threads(db, consultation)
    participant = await make_user(db)
    elsewhere = await make_position(db, consultation, author=participant, ref="RT2-KM1")
    await db.commit()
    await sign_in(client, participant.email, PASSWORD)
    assert (await client.get(f"/contributions/{duplicate.id}/merge")).status_code == 403
    denied = await post_form(
        client, f"/contributions/{duplicate.id}/merge", {"into": str(kept.id), "reason": "Mine now."}
    )
    assert denied.status_code == 403

    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as moderating:
        await sign_in(moderating, moderator.email, PASSWORD)
        path = f"/contributions/{duplicate.id}/merge"
        for into in (
            "",
            "abc",
            "12 13",
            "9" * 40,
            "\x00",
            str(duplicate.id),
            str(deep.id),
            str(elsewhere.id),
            "999999",
        ):
            refused = await post_form(moderating, path, {"into": into, "reason": "A duplicate of another."})
            assert refused.status_code == 422 and "into" in field_errors(refused), into
        short = await post_form(moderating, path, {"into": str(kept.id), "reason": "no"})
        assert short.status_code == 422 and "reason" in field_errors(short)
        assert (await moderating.get(f"/contributions/{deep.id}/merge")).status_code == 404
        # Merged once: again is nothing; the other thread cannot be merged into the merged one.
        assert (await post_form(moderating, path, {"into": str(kept.id), "reason": "A duplicate."})).status_code == 303
        assert (await post_form(moderating, path, {"into": str(kept.id), "reason": "A duplicate."})).status_code == 303
        back = await post_form(
            moderating, f"/contributions/{kept.id}/merge", {"into": str(duplicate.id), "reason": "Back."}
        )
        assert back.status_code == 422 and "into" in field_errors(back)
    assert await db.scalar(select(func.count()).select_from(ThreadMerge)) == 1
    log = (
        await db.scalars(select(ModerationLogEntry.action).where(ModerationLogEntry.contribution_id == duplicate.id))
    ).all()
    assert log == [ModerationAction.MERGE]
