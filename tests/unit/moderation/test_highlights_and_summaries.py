"""Highlights and summaries as services: who may be pinned, what is logged, what readers see,
the summary's versions and the check that no edit overwrites another."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.consultation.models import KeyMessage
from app.discussion.models import PublicationConsent
from app.export.json_export import export_data
from app.moderation.curation import MAX_HIGHLIGHTS, highlights_of, pin, unpin
from app.moderation.models import Highlight, ModerationAction, QueueItem
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.services import ModerationError, moderation_history, set_visibility
from app.moderation.summaries import (
    MAX_SUMMARY_CHARS,
    SummaryConflict,
    export_summaries,
    save_summary,
    summary_of,
    summary_versions,
)
from app.security.roles import Role
from tests.factories import make_position, make_reply, make_user
from tests.unit.export.exporting import csv_records


async def version_of(db, contribution) -> int:
    return await db.scalar(select(KeyMessage.discussion_version).where(KeyMessage.id == contribution.key_message_id))


async def test_pinning_logs_moves_the_version_and_shows_it_with_its_thread(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    root = await make_position(db, consultation, author=await make_user(db, name="Ama"), body="A root.")
    reply = await make_reply(db, author=await make_user(db, name="Bo"), parent=root, body="A *fine* reply.")
    version = await version_of(db, reply)

    highlight = await pin(db, moderator=moderator, contribution=reply, reason="  Says it best.  ")

    assert highlight is not None and highlight.reason == "Says it best."
    assert await version_of(db, reply) == version + 1
    [shown] = await highlights_of(db, reply.key_message_id)
    assert (shown.contribution_id, shown.thread_id, shown.author, shown.position) == (reply.id, root.id, "Bo", None)
    [entry] = await moderation_history(db, reply.id)
    assert (entry.action, entry.tag, entry.reason) == (
        ModerationAction.PIN,
        "moderation:contribution:pin",
        "Says it best.",
    )


async def test_pinning_twice_or_unpinning_what_is_not_pinned_logs_nothing(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    position = await make_position(db, consultation, author=await make_user(db))
    assert not await unpin(db, moderator=moderator, contribution=position, reason="Not pinned at all.")
    assert await pin(db, moderator=moderator, contribution=position, reason="A clear case.") is not None
    assert await pin(db, moderator=moderator, contribution=position, reason="Again, for luck.") is None
    assert await unpin(db, moderator=moderator, contribution=position, reason="No longer needed.")
    assert not await unpin(db, moderator=moderator, contribution=position, reason="Once more.")
    actions = [entry.action for entry in await moderation_history(db, position.id)]
    assert actions == [ModerationAction.PIN, ModerationAction.UNPIN]
    assert await highlights_of(db, position.key_message_id) == []


async def test_pinning_leaves_readers_reports_waiting(db, consultation):
    """A highlight is not a decision on reports: the queue keeps them for a decision."""
    moderator, reader = await make_user(db, role=Role.MODERATOR), await make_user(db)
    position = await make_position(db, consultation, author=await make_user(db))
    await report_contribution(
        db, reporter=reader, contribution=position, draft=ReportDraft(reason="spam"), base_url="http://x"
    )
    await pin(db, moderator=moderator, contribution=position, reason="Worth reading.")
    waiting = await db.scalar(select(func.count()).select_from(QueueItem).where(QueueItem.decided_at.is_(None)))
    assert waiting == 1


async def test_what_is_hidden_or_unpublished_cannot_be_pinned_and_a_hidden_highlight_stops_showing(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    private = await make_position(
        db, consultation, author=await make_user(db), publication=PublicationConsent.NOT_FOR_PUBLICATION
    )
    with pytest.raises(ModerationError):
        await pin(db, moderator=moderator, contribution=private, reason="Not for the public.")
    shown = await make_position(db, consultation, author=await make_user(db))
    await pin(db, moderator=moderator, contribution=shown, reason="Shown for now.")
    await set_visibility(db, moderator=moderator, contribution=shown, action=ModerationAction.HIDE, reason="Spam.")
    assert await highlights_of(db, shown.key_message_id) == []
    with pytest.raises(ModerationError):
        await pin(db, moderator=moderator, contribution=shown, reason="Pin a hidden one.")
    await set_visibility(db, moderator=moderator, contribution=shown, action=ModerationAction.RESTORE, reason="Fine.")
    assert [h.contribution_id for h in await highlights_of(db, shown.key_message_id)] == [shown.id]


async def test_a_key_message_has_at_most_a_few_highlights(db, consultation):
    moderator, author = await make_user(db, role=Role.MODERATOR), await make_user(db)
    root = await make_position(db, consultation, author=author)
    for number in range(MAX_HIGHLIGHTS):
        reply = await make_reply(db, author=author, parent=root, body=f"Reply {number}.")
        await pin(db, moderator=moderator, contribution=reply, reason="One of the best.")
    with pytest.raises(ModerationError):
        await pin(db, moderator=moderator, contribution=root, reason="One too many.")
    assert await db.scalar(select(func.count()).select_from(Highlight)) == MAX_HIGHLIGHTS


async def test_every_version_of_a_summary_is_kept_and_an_edit_names_the_one_it_started_from(db, consultation):
    first, second = await make_user(db, role=Role.MODERATOR), await make_user(db, role=Role.MODERATOR)
    root = await make_position(db, consultation, author=await make_user(db))
    version = await version_of(db, root)

    saved = await save_summary(db, moderator=first, root=root, body="Two *views*.\r\n", edited_version=0)
    assert saved is not None and (saved.version, saved.body_source, saved.body_html) == (
        1,
        "Two *views*.",
        "<p>Two <em>views</em>.</p>\n",
    )
    assert await version_of(db, root) == version + 1
    assert await save_summary(db, moderator=first, root=root, body="Two *views*.", edited_version=1) is None
    with pytest.raises(SummaryConflict) as conflict:
        await save_summary(db, moderator=second, root=root, body="A rival first.", edited_version=0)
    assert conflict.value.current.body_source == "Two *views*."
    await save_summary(db, moderator=second, root=root, body="Three views.", edited_version=1)
    with pytest.raises(SummaryConflict) as late:
        await save_summary(db, moderator=first, root=root, body="Stale edit.", edited_version=1)
    assert late.value.current.version == 2

    current = await summary_of(db, root.id)
    assert current is not None and (current.version, current.body_source) == (2, "Three views.")
    versions = await summary_versions(db, current.id)
    assert [(v.version, v.body_source, v.written_by_id) for v in versions] == [
        (2, "Three views.", second.id),
        (1, "Two *views*.", first.id),
    ]


@pytest.mark.parametrize(
    "body", ["", "   \n ", "\x00\x1b", "x" * (MAX_SUMMARY_CHARS + 1)], ids=["empty", "blank", "controls", "huge"]
)
async def test_a_summary_needs_some_short_text(db, consultation, body):
    moderator = await make_user(db, role=Role.MODERATOR)
    root = await make_position(db, consultation, author=await make_user(db))
    with pytest.raises(ModerationError) as refused:
        await save_summary(db, moderator=moderator, root=root, body=body, edited_version=0)
    assert refused.value.field == "body"
    assert await summary_of(db, root.id) is None


async def test_a_summary_is_of_a_thread_and_its_html_is_safe(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR)
    root = await make_position(db, consultation, author=await make_user(db))
    reply = await make_reply(db, author=await make_user(db), parent=root)
    with pytest.raises(ModerationError):
        await save_summary(db, moderator=moderator, root=reply, body="Of a reply.", edited_version=0)
    saved = await save_summary(
        db,
        moderator=moderator,
        root=root,
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="y">',
        edited_version=0,
    )
    assert saved is not None
    html = BeautifulSoup(saved.body_html, "html.parser")
    assert html.select("script, img, [onerror]") == []
    assert all(not a["href"].startswith("javascript") for a in html.select("a[href]"))
    assert "<script>alert(1)</script>" in html.get_text()  # shown as text, never run


async def test_the_export_names_the_team_and_carries_what_readers_see(db, consultation):
    moderator = await make_user(db, role=Role.MODERATOR, name="Secret Moderator")
    root = await make_position(db, consultation, author=await make_user(db))
    reply = await make_reply(db, author=await make_user(db), parent=root, body="=SUM(A1) is how they count.")
    hidden = await make_reply(db, author=await make_user(db), parent=root, body="Soon hidden.")
    await pin(db, moderator=moderator, contribution=reply, reason="+ counts the right way")
    await pin(db, moderator=moderator, contribution=hidden, reason="Was good.")
    await set_visibility(db, moderator=moderator, contribution=hidden, action=ModerationAction.HIDE, reason="Spam!")
    await save_summary(db, moderator=moderator, root=root, body="A summary.", edited_version=0)
    await db.flush()

    export = await export_data(db, consultation)
    assert export["schema_version"] == 5
    [message] = [m for s in export["roundtables"] for m in s["key_messages"] if m["ref"] == "RT2-KM3"]
    assert [h["contribution_id"] for h in message["highlights"]] == [reply.id]
    assert [(s["thread_id"], s["summary"], s["edited_at"]) for s in message["summaries"]] == [
        (root.id, "A summary.", None)
    ]
    assert "Secret Moderator" not in str(message["highlights"]) + str(message["summaries"])
    rows = {int(row["id"]): row for row in await csv_records(db, consultation)}
    curated = ("highlight_reason", "thread_summary")
    # A reason that starts like a formula is kept as text.
    assert [rows[reply.id][name] for name in curated] == ["'+ counts the right way", ""]
    assert [rows[root.id][name] for name in curated] == ["", "A summary."]
    assert await export_summaries(db, []) == {}


async def test_a_public_reply_to_an_unpublished_start_links_to_its_own_page(db, consultation):
    """Readers never get a link to, nor the id of, a contribution not for publication."""
    moderator = await make_user(db, role=Role.MODERATOR)
    private = await make_position(
        db, consultation, author=await make_user(db), publication=PublicationConsent.NOT_FOR_PUBLICATION
    )
    reply = await make_reply(db, author=await make_user(db), parent=private, body="Public answer.")
    await pin(db, moderator=moderator, contribution=reply, reason="A public answer.")
    [shown] = await highlights_of(db, reply.key_message_id)
    assert shown.thread_id == reply.id
