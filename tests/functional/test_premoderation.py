"""Pre-moderation over HTTP (issue 11): where a consultation holds contributions, a held one
is read only by its author (marked as waiting) and the moderators, counts nowhere, and is
published with the time it was written once a moderator approves it; rejected, it never is.
The author is told either way."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import CONSULTATION_PREMODERATION
from app.consultation.models import PreModeration
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.discussion.holding import MAX_WAITING_PER_PERSON
from app.discussion.models import Contribution, HeldContribution, HeldOutcome
from app.discussion.tallies import tallies
from app.mail.models import OutgoingMail
from app.main import create_app
from app.moderation.models import ModerationAction, ModerationLogEntry, QueueItem, QueueKind
from app.organisations.models import VerificationState
from app.security.roles import Role
from tests.factories import PASSWORD, key_message, make_organisation, make_position, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import field_errors, hidden_fields, post_form, sign_in, soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
QUEUE = "/moderation"
BODY = "Remittance costs should fall to three percent by 2030, as the SDGs say."


def a_position(body: str = BODY, key: str = "held-key-0001") -> dict[str, str]:
    return {"body": body, "position": "support", "submission_key": key}


async def premoderated(db, consultation, rule: PreModeration = PreModeration.FIRST_CONTRIBUTION) -> None:
    consultation.premoderation = rule
    await db.commit()


async def held_item_id(client: httpx.AsyncClient) -> str:
    [item] = soup(await client.get(QUEUE)).select("li.queue-item")
    return item["id"].removeprefix("item-")


async def test_a_first_contribution_waits_for_approval_then_is_published_with_its_time(
    client, other_client, db, consultation
):
    await premoderated(db, consultation)
    author = await make_user(db, name="New Voice")
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)

    sent = await post_form(client, f"{KM}/contributions", a_position())
    assert sent.status_code == 303 and sent.headers["location"] == f"{KM}#awaiting-moderation"
    own = await client.get(KM)
    waiting = soup(own).select_one("#awaiting-moderation")
    assert waiting is not None and BODY in waiting.get_text() and "Awaiting moderation" in waiting.get_text()
    assert "awaiting moderation" in soup(own).select_one(".flash, [role=status]").get_text().lower()
    assert await db.scalar(select(func.count()).select_from(Contribution)) == 0
    assert (await tallies(db, [key_message(consultation, "RT2-KM3").id]))[
        key_message(consultation, "RT2-KM3").id
    ].total == 0
    anonymous = await httpx.AsyncClient(transport=client._transport, base_url="http://testserver").get(KM)
    assert BODY not in anonymous.text and "awaiting-moderation" not in anonymous.text
    held = await db.scalar(select(HeldContribution))
    assert held is not None

    await sign_in(other_client, moderator.email, PASSWORD)
    queue = await other_client.get(QUEUE)
    [item] = soup(queue).select("li.queue-item")
    assert "Held for approval" in item.get_text() and BODY in item.get_text() and "New Voice" in item.get_text()
    assert [i["value"] for i in item.select("input[name=action]")] == ["approve", "reject"]
    decided = await post_form(
        other_client,
        f"/moderation/items/{item['id'].removeprefix('item-')}/decision",
        {"action": "approve", "reason": "On topic and civil."},
    )
    assert decided.status_code == 303

    published = await db.scalar(select(Contribution))
    assert published is not None and published.body_source == BODY
    await db.refresh(held)
    assert published.created_at == held.created_at and held.outcome is HeldOutcome.APPROVED
    assert held.contribution_id == published.id
    assert (await tallies(db, [published.key_message_id]))[published.key_message_id].total == 1
    assert BODY in (await httpx.AsyncClient(transport=client._transport, base_url="http://testserver").get(KM)).text
    assert "awaiting-moderation" not in (await client.get(KM)).text
    entry = await db.scalar(select(ModerationLogEntry))
    assert entry.action is ModerationAction.APPROVE and entry.contribution_id == published.id
    mail = await db.scalar(select(OutgoingMail).where(OutgoingMail.recipient == author.email))
    assert mail is not None and "is published" in mail.subject and f"/contributions/{published.id}" in mail.body_text

    # Once one of theirs was approved, the person's next contribution is published at once.
    again = await post_form(client, f"{KM}/contributions", a_position("A second thought.", "held-key-0002"))
    assert again.status_code == 303 and "#c" in again.headers["location"]
    assert await db.scalar(select(func.count()).select_from(Contribution)) == 2


async def test_a_rejected_contribution_is_never_published_and_its_author_gets_the_reasons(
    client, other_client, db, consultation
):
    await premoderated(db, consultation)
    author = await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    await post_form(client, f"{KM}/contributions", a_position("Buy cheap watches at example.com"))
    await sign_in(other_client, moderator.email, PASSWORD)
    refused = await post_form(
        other_client, f"/moderation/items/{await held_item_id(other_client)}/decision", {"action": "reject"}
    )
    assert refused.status_code == 422 and any(name.startswith("reason") for name in field_errors(refused))
    decided = await post_form(
        other_client,
        f"/moderation/items/{await held_item_id(other_client)}/decision",
        {"action": "reject", "reason": "Advertising.", "rule": "R1"},
    )
    assert decided.status_code == 303
    assert await db.scalar(select(func.count()).select_from(Contribution)) == 0
    assert "Buy cheap watches" not in (await client.get(KM)).text
    entry = await db.scalar(select(ModerationLogEntry))
    assert entry.action is ModerationAction.REJECT and entry.contribution_id is None and entry.rule == "R1"
    mail = await db.scalar(select(OutgoingMail).where(OutgoingMail.recipient == author.email))
    assert mail is not None and "not published" in mail.subject
    assert "Advertising." in mail.body_text and "R1" in mail.body_text and moderator.display_name not in mail.body_text


async def test_only_people_speaking_for_a_verified_organisation_skip_the_queue(client, db, consultation):
    await premoderated(db, consultation, PreModeration.UNVERIFIED)
    verified = await make_organisation(db, name="Verified Diaspora Network")
    verified.verification = VerificationState.VERIFIED
    trusted = await make_user(db, organisation=verified)
    unverified = await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR, with_organisation=False)
    await db.commit()
    for person, key in ((trusted, "trusted-0001"), (unverified, "unverified-01"), (moderator, "moderator-001")):
        async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as browser:
            await sign_in(browser, person.email, PASSWORD)
            await post_form(browser, f"{KM}/contributions", a_position(f"Written by {person.display_name}.", key))
    published = set(await db.scalars(select(Contribution.author_id)))
    held = set(await db.scalars(select(HeldContribution.author_id)))
    assert published == {trusted.id, moderator.id} and held == {unverified.id}


async def test_htmx_posts_are_sent_to_the_page_that_shows_them_waiting(client, db, consultation):
    await premoderated(db, consultation)
    author = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    sent = await post_form(client, f"{KM}/contributions", a_position(), headers={"HX-Request": "true"})
    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == f"{KM}#awaiting-moderation"
    again = await post_form(client, f"{KM}/contributions", a_position(), headers={"HX-Request": "true"})
    assert again.status_code == 204
    assert await db.scalar(select(func.count()).select_from(HeldContribution)) == 1
    assert await db.scalar(select(func.count()).select_from(QueueItem)) == 1


async def test_a_held_reply_is_published_in_its_thread_once_approved(client, other_client, db, consultation):
    await premoderated(db, consultation)
    parent = await make_position(db, consultation, author=await make_user(db), body="The parent position.")
    author = await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    sent = await post_form(
        client,
        f"/contributions/{parent.id}/replies",
        {"body": "I agree, and add this.", "submission_key": "reply-0001"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{KM}#awaiting-moderation"
    waiting = soup(await client.get(KM)).select_one("#awaiting-moderation")
    assert waiting.select_one(f"a[href='/contributions/{parent.id}#c{parent.id}']") is not None
    assert "I agree" not in (await client.get(f"/contributions/{parent.id}")).text
    await sign_in(other_client, moderator.email, PASSWORD)
    await post_form(
        other_client,
        f"/moderation/items/{await held_item_id(other_client)}/decision",
        {"action": "approve", "reason": "Fine."},
    )
    reply = await db.scalar(select(Contribution).where(Contribution.parent_id == parent.id))
    assert reply is not None and reply.thread_root_id == parent.id and reply.depth == 1
    assert "I agree, and add this." in (await client.get(f"/contributions/{parent.id}")).text


async def test_a_flood_waits_in_no_queue_and_the_text_is_kept(client, db, consultation):
    await premoderated(db, consultation)
    author = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    for number in range(MAX_WAITING_PER_PERSON):
        sent = await post_form(client, f"{KM}/contributions", a_position(f"Post {number}", f"flood-key-{number:04}"))
        assert sent.status_code == 303
    refused = await post_form(client, f"{KM}/contributions", a_position("One too many", "flood-key-9999"))
    assert refused.status_code == 422 and "waiting for the moderators" in field_errors(refused)["body"]
    assert soup(refused).select_one("#field-body").get_text() == "One too many"
    assert await db.scalar(select(func.count()).select_from(HeldContribution)) == MAX_WAITING_PER_PERSON


async def test_a_position_paper_cannot_wait_with_a_held_contribution(client, db, consultation):
    await premoderated(db, consultation)
    author = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    refused = await client.post(
        f"{KM}/contributions",
        data={**await hidden_fields(client), **a_position()},
        files={"attachment": ("paper.pdf", tiny_pdf(), "application/pdf")},
    )
    assert refused.status_code == 422 and "attachment" in field_errors(refused)
    assert soup(refused).select_one("#field-body").get_text() == BODY
    assert await db.scalar(select(func.count()).select_from(HeldContribution)) == 0


async def test_two_moderators_approving_at_once_publish_once(own_database, settings):
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, "com-2013-292")
            consultation.premoderation = PreModeration.FIRST_CONTRIBUTION
            author = await make_user(db)
            moderators = [await make_user(db, role=Role.MODERATOR) for _ in range(2)]
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            browsers = []
            for person in (author, *moderators):
                browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                browsers.append(await stack.enter_async_context(browser))
                await sign_in(browsers[-1], person.email, PASSWORD)
            assert (await post_form(browsers[0], f"{KM}/contributions", a_position())).status_code == 303
            item_id = await held_item_id(browsers[1])
            sent = await asyncio.gather(
                *(
                    post_form(b, f"/moderation/items/{item_id}/decision", {"action": "approve", "reason": "Fine."})
                    for b in browsers[1:]
                )
            )
        assert sorted(r.status_code for r in sent) == [303, 422]
        async with make_sessionmaker(engine)() as db:
            assert await db.scalar(select(func.count()).select_from(Contribution)) == 1
            assert await db.scalar(select(func.count()).select_from(ModerationLogEntry)) == 1
            [item] = (await db.scalars(select(QueueItem))).all()
            assert item.kind is QueueKind.HELD and item.decided_at is not None
    finally:
        await engine.dispose()


async def test_an_administrator_turns_pre_moderation_on_and_it_is_audited(client, db, consultation):
    admin = await make_user(db, role=Role.ADMIN)
    await db.commit()
    await sign_in(client, admin.email, PASSWORD)
    page = soup(await client.get("/admin/consultations"))
    assert page.select_one("#premoderation-none-com-2013-292").has_attr("checked")
    url = "/admin/consultations/com-2013-292/premoderation"
    refused = await post_form(client, url, {"premoderation": "everyone\x00", "reason": "Spam wave <b>now</b>"})
    assert refused.status_code == 422
    assert soup(refused).select_one("#field-reason-com-2013-292")["value"] == "Spam wave <b>now</b>"
    assert soup(refused).select_one(".error-summary a")["href"] == "#field-premoderation-com-2013-292"
    changed = await post_form(client, url, {"premoderation": "unverified", "reason": "Spam wave"})
    assert changed.status_code == 303
    await db.refresh(consultation)
    assert consultation.premoderation is PreModeration.UNVERIFIED
    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == CONSULTATION_PREMODERATION))
    assert event.actor_id == admin.id
    assert event.details == {
        "consultation": "com-2013-292",
        "premoderation": "unverified",
        "previous": "none",
        "reason": "Spam wave",
    }
    same = await post_form(client, url, {"premoderation": "unverified"})
    assert "Nothing changed" in (await client.get(same.headers["location"])).text
    missing = await post_form(client, "/admin/consultations/no-such-thing/premoderation", {"premoderation": "none"})
    assert missing.status_code == 404


async def test_the_author_appeals_a_rejection_and_another_moderator_publishes_it(
    client, other_client, db, consultation, settings
):
    await premoderated(db, consultation)
    author = await make_user(db, name="Appealing Author")
    first, second = await make_user(db, role=Role.MODERATOR), await make_user(db, role=Role.MODERATOR)
    stranger = await make_user(db)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    await post_form(client, f"{KM}/contributions", a_position())
    await sign_in(other_client, first.email, PASSWORD)
    await post_form(
        other_client,
        f"/moderation/items/{await held_item_id(other_client)}/decision",
        {"action": "reject", "reason": "Looked like a copied statement."},
    )
    statement = await db.scalar(select(OutgoingMail).where(OutgoingMail.recipient == author.email))
    appeal_link = next(line for line in statement.body_text.splitlines() if line.endswith("/appeal"))
    appeal_path = appeal_link.removeprefix(settings.base_url)
    held = await db.scalar(select(HeldContribution))
    assert appeal_path == f"/held/{held.id}/appeal"

    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other_person:
        assert (await other_person.get(appeal_path)).status_code in (302, 303)  # signed out: sign in first
        await sign_in(other_person, stranger.email, PASSWORD)
        # Someone else's held contribution and one that does not exist are refused alike.
        assert (await other_person.get(appeal_path)).status_code == 403
        assert (await other_person.get("/held/999999999/appeal")).status_code == 403
        assert (await post_form(other_person, appeal_path, {"text": "Let me appeal it for them."})).status_code == 403

    form = await client.get(appeal_path)
    assert form.status_code == 200 and "Looked like a copied statement." in form.text and BODY in form.text
    too_short = await post_form(client, appeal_path, {"text": "No."})
    assert too_short.status_code == 422 and soup(too_short).select_one("#field-text").get_text() == "No."
    sent = await post_form(client, appeal_path, {"text": "It is our own statement, written by our board."})
    assert sent.status_code == 303
    assert (await post_form(client, appeal_path, {"text": "Once more with feeling."})).status_code == 422

    [item] = soup(await other_client.get(QUEUE)).select("li.queue-item")
    assert "Appeal by the author" in item.get_text() and "Not published by" in item.get_text()
    assert BODY in item.get_text() and "written by our board" in item.get_text()
    assert [i["value"] for i in item.select("input[name=action]")] == ["keep", "approve"]
    decision = f"/moderation/items/{item['id'].removeprefix('item-')}/decision"
    own = await post_form(other_client, decision, {"action": "approve", "reason": "I misjudged it."})
    assert own.status_code == 422 and "another moderator" in own.text
    await post_form(other_client, "/sign-out", {})
    await sign_in(other_client, second.email, PASSWORD)
    published = await post_form(other_client, decision, {"action": "approve", "reason": "Their own words."})
    assert published.status_code == 303

    contribution = await db.scalar(select(Contribution))
    await db.refresh(held)
    assert contribution.body_source == BODY and contribution.created_at == held.created_at
    assert held.outcome is HeldOutcome.APPROVED and held.contribution_id == contribution.id
    result = await db.scalar(
        select(OutgoingMail).where(OutgoingMail.recipient == author.email).order_by(OutgoingMail.id.desc())
    )
    assert result.subject == "Your appeal was decided" and f"/contributions/{contribution.id}" in result.body_text
    assert BODY in (await httpx.AsyncClient(transport=client._transport, base_url="http://testserver").get(KM)).text
    figures = await other_client.get("/consultations/com-2013-292/moderation-log/figures")
    assert figures.status_code == 200


async def test_the_author_withdraws_a_waiting_contribution_and_nobody_else_can(client, other_client, db, consultation):
    await premoderated(db, consultation)
    author, stranger = await make_user(db), await make_user(db)
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, author.email, PASSWORD)
    await post_form(client, f"{KM}/contributions", a_position())
    held = await db.scalar(select(HeldContribution))
    form = soup(await client.get(KM)).select_one(f"#awaiting-moderation form[action='/held/{held.id}/withdraw']")
    assert form is not None and form.select_one("button").get_text(strip=True) == "Withdraw it"

    await sign_in(other_client, stranger.email, PASSWORD)
    assert (await post_form(other_client, f"/held/{held.id}/withdraw", {})).status_code == 403
    assert (await post_form(other_client, "/held/999999999/withdraw", {})).status_code == 403
    await db.refresh(held)
    assert held.outcome is None

    withdrawn = await post_form(client, f"/held/{held.id}/withdraw", {})
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == KM
    page = await client.get(KM)
    assert "is withdrawn" in page.text and "awaiting-moderation" not in page.text and BODY not in page.text
    await db.refresh(held)
    assert held.outcome is HeldOutcome.WITHDRAWN
    assert await db.scalar(select(func.count()).select_from(Contribution)) == 0
    await post_form(other_client, "/sign-out", {})
    await sign_in(other_client, moderator.email, PASSWORD)
    assert not soup(await other_client.get(QUEUE)).select("li.queue-item")
    again = await post_form(client, f"/held/{held.id}/withdraw", {})
    assert again.status_code == 303 and "decided on it already" in (await client.get(KM)).text


async def test_withdrawing_while_a_moderator_approves_ends_one_way(own_database, settings):
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            consultation = await consultation_by_slug(db, "com-2013-292")
            consultation.premoderation = PreModeration.FIRST_CONTRIBUTION
            author = await make_user(db)
            moderator = await make_user(db, role=Role.MODERATOR)
            await db.commit()
        app = create_app(replace(settings, database_url=own_database))
        async with app.router.lifespan_context(app), AsyncExitStack() as stack:
            browsers = []
            for person in (author, moderator):
                browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
                browsers.append(await stack.enter_async_context(browser))
                await sign_in(browsers[-1], person.email, PASSWORD)
            assert (await post_form(browsers[0], f"{KM}/contributions", a_position())).status_code == 303
            item_id = await held_item_id(browsers[1])
            async with make_sessionmaker(engine)() as db:
                held_id = await db.scalar(select(HeldContribution.id))
            await asyncio.gather(
                post_form(browsers[0], f"/held/{held_id}/withdraw", {}),
                post_form(
                    browsers[1], f"/moderation/items/{item_id}/decision", {"action": "approve", "reason": "On topic."}
                ),
            )
        async with make_sessionmaker(engine)() as db:
            held = await db.get_one(HeldContribution, held_id)
            published = await db.scalar(select(func.count()).select_from(Contribution))
            assert (held.outcome, published) in ((HeldOutcome.WITHDRAWN, 0), (HeldOutcome.APPROVED, 1))
            [item] = (await db.scalars(select(QueueItem))).all()
            assert item.decided_at is not None
    finally:
        await engine.dispose()
