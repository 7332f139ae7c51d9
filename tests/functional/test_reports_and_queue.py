"""Reports and the moderation queue over HTTP (issue 11): a reader reports a contribution,
it waits in the queue, a moderator decides it there, alone or in bulk. Errors stay next to
their fields with the text kept; nobody else passes; nothing reveals the reporter."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker, utcnow
from app.discussion.models import ContributionStatus
from app.mail.models import OutgoingMail
from app.main import create_app
from app.moderation.models import QueueItem, Report
from app.organisations.models import JoinRequest
from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import field_errors, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
QUEUE = "/moderation"


def report_path(contribution_id: int) -> str:
    return f"/contributions/{contribution_id}/report"


async def a_position(db, consultation, body="Buy cheap watches at example.com now."):
    author = await make_user(db, name="Spam Author")
    position = await make_position(db, consultation, author=author, body=body)
    await db.commit()
    return author, position


async def test_a_reader_reports_and_a_moderator_hides_it_from_the_queue(client, other_client, db, consultation):
    _author, position = await a_position(db, consultation)
    reader = await make_user(db, name="Careful Reader")
    moderator = await make_user(db, role=Role.MODERATOR, name="Mia Moderator")
    await db.commit()

    await sign_in(client, reader.email, PASSWORD)
    page = soup(await client.get(KM))
    assert page.select_one(f"#c{position.id} a.report")["href"] == report_path(position.id)
    form = await client.get(report_path(position.id))
    assert form.status_code == 200 and "Buy cheap watches" in form.text
    sent = await post_form(client, report_path(position.id), {"reason": "spam", "explanation": "Advertising."})
    assert sent.status_code == 303 and sent.headers["location"].endswith(f"/contributions/{position.id}#c{position.id}")
    assert "the moderators have your report" in (await client.get(sent.headers["location"])).text

    await sign_in(other_client, moderator.email, PASSWORD)
    queue = await other_client.get(QUEUE)
    assert queue.status_code == 200
    assert "1 waiting" in soup(queue).select_one("header").get_text()
    [item] = soup(queue).select("li.queue-item")
    assert "Reported once" in item.get_text() and "Spam or advertising" in item.get_text()
    assert "Buy cheap watches" in item.get_text() and "Careful Reader" not in queue.text
    assert [i["value"] for i in item.select("input[name=action]")] == ["keep", "hide", "hold", "lock", "duplicate"]
    item_id = item["id"].removeprefix("item-")

    decided = await post_form(
        other_client,
        f"/moderation/items/{item_id}/decision",
        {"action": "hide", "reason": "Advertising, not a view on the key message.", "back": "reason=spam"},
    )
    assert decided.status_code == 303 and decided.headers["location"] == "/moderation?reason=spam"
    after = await other_client.get(decided.headers["location"])
    assert "Nothing is waiting" in after.text and "waiting" not in soup(after).select_one("header").get_text()
    await db.refresh(position)
    assert position.status is ContributionStatus.HIDDEN
    assert "Advertising, not a view on the key message." in (await client.get(KM)).text


async def test_the_author_never_learns_who_reported_nor_that_anyone_did(client, db, consultation):
    author, position = await a_position(db, consultation)
    reader = await make_user(db, name="Hidden Reporter")
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    await post_form(client, report_path(position.id), {"reason": "abusive"})
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as author_client:
        await sign_in(author_client, author.email, PASSWORD)
        for path in (KM, f"/contributions/{position.id}", "/account/contributions"):
            seen = await author_client.get(path)
            assert "Hidden Reporter" not in seen.text and "Reported" not in seen.text, path
    anonymous = await httpx.AsyncClient(transport=client._transport, base_url="http://testserver").get(KM)
    assert "Hidden Reporter" not in anonymous.text and "report" not in anonymous.text.lower().replace("reports", "")


async def test_a_report_without_a_reason_is_refused_next_to_the_field_with_the_text_kept(client, db, consultation):
    _, position = await a_position(db, consultation)
    reader = await make_user(db)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    refused = await post_form(client, report_path(position.id), {"explanation": "My <b>careful</b> words."})
    assert refused.status_code == 422
    assert "reason" in field_errors(refused)
    page = soup(refused)
    assert page.select_one(".error-summary a")["href"] == "#field-reason"
    assert page.select_one("#field-explanation").get_text() == "My <b>careful</b> words."
    assert await db.scalar(select(func.count()).select_from(Report)) == 0


async def test_an_illegal_content_notice_needs_its_details(client, db, consultation):
    _, position = await a_position(db, consultation)
    reader = await make_user(db)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    refused = await post_form(client, report_path(position.id), {"reason": "illegal", "illegal_where": "Belgium"})
    assert refused.status_code == 422 and "illegal_what" in field_errors(refused)
    assert soup(refused).select_one("#field-illegal_where").get_text() == "Belgium"
    sent = await post_form(
        client,
        report_path(position.id),
        {
            "reason": "illegal",
            "illegal_what": "It incites hatred against a group.",
            "illegal_where": "Belgium",
            "good_faith": "yes",
        },
    )
    assert sent.status_code == 303
    again = await post_form(client, report_path(position.id), {"reason": "spam"})
    assert again.status_code == 422 and "already reported" in field_errors(again)["reason"]


@pytest.mark.parametrize(
    ("data", "status", "saved"),
    [
        ({"reason": "spam\x00"}, 303, 1),  # control characters go before anything is read
        ({"reason": ["abusive", "spam"]}, 303, 1),  # a repeated field: one value counts, the last
        ({"reason": "x" * 10_000}, 422, 0),
        ({"reason": "spam", "explanation": "x" * 5000}, 422, 0),
        ({"reason": "illegal", "illegal_what": "\x1b[2J" * 3, "illegal_where": "\x00", "good_faith": "yes"}, 422, 0),
    ],
)
async def test_hostile_reports_are_refused_or_cleaned(client, db, consultation, data, status, saved):
    _, position = await a_position(db, consultation)
    reader = await make_user(db)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    answer = await post_form(client, report_path(position.id), data)
    assert answer.status_code == status
    reasons = (await db.scalars(select(Report.reason))).all()
    assert len(reasons) == saved and all(reason.value == "spam" for reason in reasons)


async def test_who_may_not_pass(client, db, consultation):
    _, position = await a_position(db, consultation)
    participant = await make_user(db)
    unverified = await make_user(db, verified=False)
    moderator_without_2fa = await make_user(db, role=Role.MODERATOR, two_factor=False)
    await db.commit()
    anonymous_report = await client.get(report_path(position.id))
    assert anonymous_report.status_code == 303 and anonymous_report.headers["location"].startswith("/sign-in")
    assert (await client.get(QUEUE)).status_code == 303
    assert (await client.get(report_path(999_999_999))).status_code == 404

    await sign_in(client, unverified.email, PASSWORD)
    assert (await post_form(client, report_path(position.id), {"reason": "spam"})).status_code == 403
    await post_form(client, "/sign-out", {})
    await sign_in(client, participant.email, PASSWORD)
    assert (await client.get(QUEUE)).status_code == 403
    await post_form(client, report_path(position.id), {"reason": "spam"})
    item_id = await db.scalar(select(QueueItem.id))
    forged = await post_form(client, f"/moderation/items/{item_id}/decision", {"action": "hide", "reason": "Mine now."})
    assert forged.status_code == 403
    bulk = await post_form(
        client, "/moderation/decisions", {"items": str(item_id), "action": "hide", "reason": "Bulk."}
    )
    assert bulk.status_code == 403
    no_token = await client.post(report_path(position.id), data={"reason": "abusive"})
    assert no_token.status_code == 403
    await post_form(client, "/sign-out", {})
    await sign_in(client, moderator_without_2fa.email, PASSWORD)
    assert (await client.get(QUEUE)).status_code in (303, 403)
    await db.refresh(position)
    assert position.status is ContributionStatus.VISIBLE
    assert (await db.get_one(QueueItem, item_id)).decided_at is None


async def test_a_moderator_decides_several_items_with_one_reason(client, db, consultation):
    positions = [(await a_position(db, consultation, body=f"Spam number {n}."))[1] for n in range(3)]
    moderator = await make_user(db, role=Role.MODERATOR)
    reporters = [await make_user(db) for _ in positions]
    await db.commit()
    for reporter, position in zip(reporters, positions, strict=True):
        async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as reading:
            await sign_in(reading, reporter.email, PASSWORD)
            assert (await post_form(reading, report_path(position.id), {"reason": "spam"})).status_code == 303
    await sign_in(client, moderator.email, PASSWORD)
    items = [li["id"].removeprefix("item-") for li in soup(await client.get(QUEUE)).select("li.queue-item")]
    assert len(items) == 3
    missing_reason = await post_form(client, "/moderation/decisions", {"items": items[0], "action": "hide"})
    assert missing_reason.status_code == 422 and "reason-bulk" in field_errors(missing_reason)
    nothing_ticked = await post_form(client, "/moderation/decisions", {"action": "hide", "reason": "A spam run."})
    assert nothing_ticked.status_code == 422 and "items-bulk" in field_errors(nothing_ticked)
    decided = await client.post(
        "/moderation/decisions",
        data={
            "csrf_token": client.cookies["rt_csrf"],
            "items": [*items[:2], "not-a-number", "-1"],
            "action": "hide",
            "reason": "A spam run.",
        },
    )
    assert decided.status_code == 303
    assert "2 items decided." in (await client.get(decided.headers["location"])).text
    for position in positions:
        await db.refresh(position)
    assert [p.status for p in positions] == [ContributionStatus.HIDDEN] * 2 + [ContributionStatus.VISIBLE]


async def test_readers_reporting_at_once_make_one_waiting_item(own_database, settings):
    """Each request on its own connection (not the shared test transaction), so the writes
    really meet: on PostgreSQL the unique partial index makes the later one join the item."""
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, "com-2013-292")
            _, position = await a_position(db, consultation)
            readers = [(await make_user(db)).email for _ in range(5)]
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            clients = []
            for email in readers:
                reader = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                clients.append(await stack.enter_async_context(reader))
                await sign_in(clients[-1], email, PASSWORD)
            sent = await asyncio.gather(
                *(post_form(c, report_path(position.id), {"reason": "spam"}) for c in clients),
                post_form(clients[0], report_path(position.id), {"reason": "abusive"}),  # twice at once
            )
        assert sorted(r.status_code for r in sent) == [303] * 5 + [422]
        async with make_sessionmaker(engine)() as db:
            items = (await db.scalars(select(QueueItem))).all()
            assert [(i.report_count, i.decided_at) for i in items] == [(5, None)]
            assert await db.scalar(select(func.count()).select_from(Report)) == 5
    finally:
        await engine.dispose()


async def test_the_author_appeals_from_the_mail_and_another_moderator_restores(
    client, other_client, db, consultation, settings
):
    """The whole journey of issue 11's "done when", as far as reports and appeals go."""
    author, position = await a_position(db, consultation, body="A sharp but fair criticism of the policy.")
    reader = await make_user(db)
    first, second = await make_user(db, role=Role.MODERATOR), await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    await post_form(client, report_path(position.id), {"reason": "abusive"})
    await sign_in(other_client, first.email, PASSWORD)
    [item] = soup(await other_client.get(QUEUE)).select("li.queue-item")
    assert [o["value"] for o in item.select("select[name=rule] option")][:3] == ["", "R1", "R2"]
    hidden = await post_form(
        other_client,
        f"/moderation/items/{item['id'].removeprefix('item-')}/decision",
        {"action": "hide", "reason": "Personal attack.", "rule": "R1"},
    )
    assert hidden.status_code == 303
    statement = await db.scalar(
        select(OutgoingMail).where(OutgoingMail.recipient == author.email).order_by(OutgoingMail.id.desc())
    )
    appeal_link = next(line for line in statement.body_text.splitlines() if line.endswith("/appeal"))
    assert appeal_link.startswith(settings.base_url)
    appeal_path = appeal_link.removeprefix(settings.base_url)

    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as author_client:
        await sign_in(author_client, author.email, PASSWORD)
        own_page = soup(await author_client.get(f"/contributions/{position.id}"))
        assert own_page.select_one(f".author-actions a[href='{appeal_path}']") is not None
        form = await author_client.get(appeal_path)
        assert "Personal attack." in form.text and "Respect other participants" in form.text
        too_short = await post_form(author_client, appeal_path, {"text": "No."})
        assert too_short.status_code == 422 and "text" in field_errors(too_short)
        assert soup(too_short).select_one("#field-text").get_text() == "No."
        sent = await post_form(author_client, appeal_path, {"text": "It criticises a policy, not a person."})
        assert sent.status_code == 303
        again = await post_form(author_client, appeal_path, {"text": "And once more, please."})
        assert again.status_code == 422

    [appeal] = soup(await other_client.get(QUEUE)).select("li.queue-item")
    assert "Appeal by the author" in appeal.get_text() and "It criticises a policy" in appeal.get_text()
    appeal_item = f"/moderation/items/{appeal['id'].removeprefix('item-')}/decision"
    own_decision = await post_form(other_client, appeal_item, {"action": "restore", "reason": "I was wrong."})
    assert own_decision.status_code == 422 and "another moderator" in own_decision.text
    await post_form(other_client, "/sign-out", {})
    await sign_in(other_client, second.email, PASSWORD)
    restored = await post_form(other_client, appeal_item, {"action": "restore", "reason": "Criticism of a policy."})
    assert restored.status_code == 303
    await db.refresh(position)
    assert position.status is ContributionStatus.VISIBLE
    assert "A sharp but fair criticism" in (await client.get(KM)).text


async def test_a_moderator_returns_to_the_same_contribution_after_deciding_on_its_page(client, db, consultation):
    _author, position = await a_position(db, consultation)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    form = soup(await client.get(f"/contributions/{position.id}/moderate"))
    assert [o["value"] for o in form.select("select[name=rule] option")][1:] == ["R1", "R2", "R3", "R4", "R5", "R6"]
    bad_rule = await post_form(
        client, f"/contributions/{position.id}/moderate", {"action": "hide", "reason": "Spam.", "rule": "R99"}
    )
    assert bad_rule.status_code == 422 and "rule" in field_errors(bad_rule)
    done = await post_form(
        client, f"/contributions/{position.id}/moderate", {"action": "hide", "reason": "Advertising.", "rule": "R3"}
    )
    assert done.headers["location"] == f"/contributions/{position.id}#c{position.id}"


async def test_the_queue_says_what_waits_on_the_organisations_review(client, db, consultation):
    """Organisations are decided on their review page; the queue counts what waits there, and
    the header's count takes claims and lapsed verifications (not every new organisation)."""
    orphan = await make_organisation(db, name="Organisation Without Admin")
    claimant = await make_user(db, with_organisation=False)
    lapsed = await make_organisation(db, name="Lapsed Org")
    lapsed.verification_lapsed_at = utcnow()
    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    await db.flush()
    db.add(JoinRequest(organisation_id=orphan.id, user_id=claimant.id, message="I run it now."))
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    page = soup(await client.get(QUEUE))
    summary = page.select_one("section.queue-organisations")
    links = {a["href"]: a.get_text(" ", strip=True) for a in summary.select("a")}
    assert links["/organisations/review#claims-heading"] == "1 request to join an organisation without an admin"
    assert links["/organisations/review#lapsed-heading"] == "1 verification lapsed"
    assert "not verified yet" in links["/organisations/review#unverified-heading"]
    assert "2 waiting" in page.select_one("header").get_text()


async def test_with_htmx_a_decided_item_leaves_the_list_and_a_refused_one_keeps_its_text(client, db, consultation):
    _, position = await a_position(db, consultation)
    _, other = await a_position(db, consultation, body="Another advert.")
    reader = await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    for contribution in (position, other):
        await post_form(client, report_path(contribution.id), {"reason": "spam"})
    await sign_in(client, moderator.email, PASSWORD)
    page = soup(await client.get(f"{QUEUE}?reason=spam"))
    first, _second = page.select("li.queue-item")
    form = first.select_one("form.item-decision")
    assert form["hx-post"] == form["action"] and form["action"].endswith("?reason=spam")
    assert form["hx-target"] == f"#{first['id']}" and page.select_one("#queue-status[role=status]") is not None
    htmx = {"HX-Request": "true"}

    refused = await post_form(client, form["action"], {"action": "hide", "reason": "  "}, headers=htmx)
    assert refused.status_code == 422
    answer = soup(refused)
    [item] = answer.select("li.queue-item")
    assert item["id"] == first["id"] and item.select_one(".field-error") is not None
    assert answer.select_one("input[name=action][value=hide]").has_attr("checked")
    assert answer.select_one("header") is None  # the item alone, not a page

    decided = await post_form(client, form["action"], {"action": "hide", "reason": "Advertising."}, headers=htmx)
    assert decided.status_code == 200
    answer = soup(decided)
    assert answer.select("li") == []
    status = answer.select_one("#queue-status")
    assert status["hx-swap-oob"] == "true" and status.get_text() == "Decided: Hide. 1 item waits."
    await db.refresh(position)
    assert position.status is ContributionStatus.HIDDEN


async def test_a_hold_hides_it_at_once_and_the_item_waits_for_the_final_decision(
    client, other_client, db, consultation
):
    _author, position = await a_position(db, consultation, body="Names someone who may be a private person.")
    reader = await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    await post_form(client, report_path(position.id), {"reason": "personal_data"})
    await sign_in(other_client, moderator.email, PASSWORD)
    [item] = soup(await other_client.get(QUEUE)).select("li.queue-item")
    decision = f"/moderation/items/{item['id'].removeprefix('item-')}/decision"
    held = await post_form(other_client, decision, {"action": "hold", "reason": "Checking who this is."})
    assert held.status_code == 303

    reading = await client.get(KM)
    assert "Names someone" not in reading.text and "Checking who this is." in reading.text
    [waiting] = soup(await other_client.get(QUEUE)).select("li.queue-item")
    assert "On hold" in waiting.get_text()
    assert [i["value"] for i in waiting.select("input[name=action]")] == ["hide", "restore"]
    again = await post_form(other_client, decision, {"action": "hold", "reason": "Twice."})
    assert again.status_code == 422 and "does not apply" in again.text

    final = await post_form(other_client, decision, {"action": "hide", "reason": "A private person's name."})
    assert final.status_code == 303
    assert not soup(await other_client.get(QUEUE)).select("li.queue-item")
    public_log = await client.get("/consultations/com-2013-292/moderation-log")
    assert public_log.status_code == 200
    assert "Held for review" in public_log.text and "A private person" in public_log.text
    assert "Names someone" not in public_log.text


async def test_two_moderators_holding_at_once_hold_it_once(own_database, settings):
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, "com-2013-292")
            _, position = await a_position(db, consultation)
            reader = await make_user(db)
            moderators = [(await make_user(db, role=Role.MODERATOR)).email for _ in range(2)]
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            clients = []
            for email in [reader.email, *moderators]:
                person = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                clients.append(await stack.enter_async_context(person))
                await sign_in(clients[-1], email, PASSWORD)
            await post_form(clients[0], report_path(position.id), {"reason": "abusive"})
            [item] = soup(await clients[1].get(QUEUE)).select("li.queue-item")
            decision = f"/moderation/items/{item['id'].removeprefix('item-')}/decision"
            sent = await asyncio.gather(
                *(post_form(c, decision, {"action": "hold", "reason": "Looking into it."}) for c in clients[1:])
            )
        assert sorted(r.status_code for r in sent) == [303, 422]
        async with make_sessionmaker(engine)() as db:
            [item_row] = (await db.scalars(select(QueueItem))).all()
            assert item_row.decided_at is None and item_row.hold_id is not None
    finally:
        await engine.dispose()
