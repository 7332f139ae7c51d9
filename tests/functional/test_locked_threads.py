"""Moderators close threads (issue 11): a locked thread stays readable and takes no new
reply, whatever page the reply comes from; a duplicate sends readers to the original.
Both are decisions of the queue and of a contribution's moderation page."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
from sqlalchemy import func, select

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution
from app.main import create_app
from app.moderation.models import ModerationAction, ModerationLogEntry
from app.moderation.reports import ReportDraft, report_contribution
from app.security.roles import Role
from tests.factories import PASSWORD, make_position, make_reply, make_user
from tests.support import field_errors, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"


async def a_thread(db, consultation):
    root = await make_position(db, consultation, author=await make_user(db), body="A thread that ran its course.")
    reply = await make_reply(db, author=await make_user(db), parent=root, body="An answer deep in it.")
    await db.commit()
    return root, reply


async def replies_to(root) -> str:
    return f"/contributions/{root.id}/replies"


async def test_a_locked_thread_takes_no_reply_and_says_so(client, other_client, db, consultation):
    root, reply = await a_thread(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    writer = await make_user(db)
    await db.commit()
    await sign_in(other_client, writer.email, PASSWORD)
    before = soup(await other_client.get(f"/contributions/{root.id}"))
    assert before.select_one(f"#c{reply.id} a[href='/contributions/{reply.id}/reply']") is not None

    await sign_in(client, moderator.email, PASSWORD)
    refused = await post_form(client, f"/contributions/{root.id}/lock", {"lock": "lock", "lock_reason": " "})
    assert refused.status_code == 422 and "lock_reason" in field_errors(refused)
    locked = await post_form(client, f"/contributions/{reply.id}/lock", {"lock": "lock", "lock_reason": "Done."})
    assert locked.status_code == 303 and locked.headers["location"].endswith(f"#c{reply.id}")

    page = soup(await other_client.get(f"/contributions/{root.id}"))
    assert "locked this thread" in page.select_one(f"#c{root.id}").get_text()
    assert page.select("a[href$='/reply']") == []  # no reply link on any of its contributions
    for parent in (root, reply):
        sent = await post_form(
            other_client,
            f"/contributions/{parent.id}/replies",
            {"body": "Still talking.", "submission_key": f"late-{parent.id}-xx"},
        )
        assert sent.status_code == 422 and "locked this thread" in field_errors(sent)[f"body-{parent.id}"]
        assert soup(sent).select_one(f"#field-body-{parent.id}").get_text() == "Still talking."
    assert await db.scalar(select(func.count()).select_from(Contribution)) == 2
    form = await other_client.get(f"/contributions/{reply.id}/reply")
    assert "locked this thread" in form.text

    unlocked = await post_form(client, f"/contributions/{root.id}/lock", {"lock": "unlock", "lock_reason": "Reopened."})
    assert unlocked.status_code == 303
    sent = await post_form(
        other_client, f"/contributions/{reply.id}/replies", {"body": "Back.", "submission_key": "back-12345"}
    )
    assert sent.status_code == 303
    actions = list(await db.scalars(select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)))
    assert actions == [ModerationAction.LOCK, ModerationAction.UNLOCK]


async def test_a_duplicate_sends_readers_to_the_original_and_its_thread_is_locked(client, db, consultation):
    original = await make_position(db, consultation, author=await make_user(db), body="The original wording.")
    copy = await make_position(db, consultation, author=await make_user(db), body="The same wording again.")
    reader, moderator = await make_user(db), await make_user(db, role=Role.MODERATOR)
    await db.commit()
    report = await report_contribution(
        db, reporter=reader, contribution=copy, draft=ReportDraft("spam"), base_url="http://testserver"
    )
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    url = f"/moderation/items/{report.queue_item_id}/decision"
    for typed, problem in (("", "number or the address"), ("#c999999", "no such"), (str(copy.id), "repeat itself")):
        refused = await post_form(client, url, {"action": "duplicate", "reason": "Same text.", "duplicate_of": typed})
        assert refused.status_code == 422
        errors = field_errors(refused)
        assert any(problem in message for name, message in errors.items() if name.startswith("duplicate_of")), errors
    decided = await post_form(
        client,
        url,
        {
            "action": "duplicate",
            "reason": "Same text.",
            "duplicate_of": f"http://testserver/contributions/{original.id}#c{original.id}",
        },
    )
    assert decided.status_code == 303
    await db.refresh(copy)
    assert copy.duplicate_of_id == original.id and copy.locked_at is not None
    page = soup(await client.get(f"/contributions/{copy.id}"))
    assert page.select_one(f"#c{copy.id} .duplicate a")["href"] == f"/contributions/{original.id}#c{original.id}"
    entry = await db.scalar(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.DUPLICATE))
    assert entry.details == {"duplicate_of": original.id}


async def test_two_moderators_locking_at_once_log_one_lock(own_database, settings):
    """Each request on its own connection, so the two really meet."""
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            root, _reply = await a_thread(db, await consultation_by_slug(db, "com-2013-292"))
            moderators = [await make_user(db, role=Role.MODERATOR) for _ in range(2)]
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            browsers = []
            for moderator in moderators:
                browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                browsers.append(await stack.enter_async_context(browser))
                await sign_in(browsers[-1], moderator.email, PASSWORD)
            lock = {"lock": "lock", "lock_reason": "Done."}
            answers = await asyncio.gather(*(post_form(b, f"/contributions/{root.id}/lock", lock) for b in browsers))
        assert [a.status_code for a in answers] == [303, 303]
        async with make_sessionmaker(engine)() as db:
            assert await db.scalar(select(func.count()).select_from(ModerationLogEntry)) == 1
            assert await db.scalar(select(func.count()).where(Contribution.locked_at.is_not(None))) == 2
    finally:
        await engine.dispose()
