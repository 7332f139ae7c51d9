"""The public moderation log: decisions carry their consultation, read newest first in
keyset pages, with the rule and reason and never the contribution's text or anyone's name."""

from __future__ import annotations

from sqlalchemy import select

from app.discussion.models import PublicationConsent
from app.moderation.models import ModerationAction, ModerationLogEntry
from app.moderation.public_log import public_log_page
from app.moderation.services import retag, set_visibility
from app.security.roles import Role
from tests.factories import make_position, make_user


async def hide(db, consultation, n: int, **draft):
    author = await make_user(db, name=f"Author {n}")
    moderator = await make_user(db, role=Role.MODERATOR, name=f"Moderator {n}")
    contribution = await make_position(db, consultation, author=author, body=f"Secret words {n}.", **draft)
    entry = await set_visibility(
        db,
        moderator=moderator,
        contribution=contribution,
        action=ModerationAction.HIDE,
        reason=f"Reason number {n}.",
        rule="R1",
    )
    assert entry is not None
    return contribution, entry


async def test_every_decision_carries_its_consultation(db, consultation):
    contribution, _entry = await hide(db, consultation, 1)
    moderator = await make_user(db, role=Role.MODERATOR)
    assert await retag(db, moderator=moderator, contribution=contribution, topics=["gender"], reason="About gender.")
    rows = (
        await db.scalars(select(ModerationLogEntry).where(ModerationLogEntry.contribution_id == contribution.id))
    ).all()
    assert [row.action for row in rows] == [ModerationAction.HIDE, ModerationAction.RETAG]
    assert {row.consultation_id for row in rows} == {consultation.id}


async def test_pages_run_newest_first_without_gaps_or_repeats(db, consultation):
    ids = [(await hide(db, consultation, n))[1].id for n in range(5)]
    seen, before, pages = [], None, 0
    while True:
        page = await public_log_page(db, consultation, before=before, page_size=2)
        seen += [decision.id for decision in page.decisions]
        pages += 1
        if page.older_than is None:
            break
        before = page.older_than
    assert seen == sorted(ids, reverse=True) and pages == 3
    first = (await public_log_page(db, consultation, page_size=2)).decisions[0]
    assert (first.action, first.rule_ref, first.reason) == (ModerationAction.HIDE, "R1", "Reason number 4.")
    assert first.rule is not None and first.rule.title == "Respect other participants"


async def test_a_page_past_the_oldest_is_empty_and_a_full_last_page_has_no_older_link(db, consultation):
    ids = [(await hide(db, consultation, n))[1].id for n in range(2)]
    assert (await public_log_page(db, consultation, before=min(ids))).decisions == []
    page = await public_log_page(db, consultation, page_size=2)
    assert len(page.decisions) == 2 and page.older_than is None


async def test_a_decision_on_a_contribution_not_for_publication_has_no_link(db, consultation):
    _contribution, entry = await hide(db, consultation, 1, publication=PublicationConsent.NOT_FOR_PUBLICATION)
    [decision] = (await public_log_page(db, consultation)).decisions
    assert decision.id == entry.id and decision.contribution_id is None


async def test_the_log_holds_no_text_and_no_names(db, consultation):
    await hide(db, consultation, 7)
    [decision] = (await public_log_page(db, consultation)).decisions
    shown = repr(decision)
    assert "Secret words" not in shown and "Author 7" not in shown and "Moderator 7" not in shown
