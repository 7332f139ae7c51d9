"""What moderation tells people by mail, through the outbox (app.mail): a reporter that
their report arrived and, later, what was decided; an author the statement of reasons for a
decision on their contribution (what, why, under which rule, how to appeal), the result
of their appeal, and whether a contribution held for approval was published. Mail goes
only to accounts that still exist (an erased account's address is undeliverable) and never
names a reporter to anyone. Each mail is written in its recipient's language (User.locale),
whoever's request sends it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.discussion.models import Contribution, HeldContribution
from app.i18n import _, format_instant_brussels, speaking
from app.mail.services import queue_mail
from app.mail.templating import render_text
from app.moderation.labels import decision_labels, report_reason_labels
from app.moderation.models import ModerationAction, ModerationLogEntry, QueueItem, QueueKind, Report
from app.moderation.rules import rule_named
from app.urls import path_for


async def tell_reporter_received(
    db: AsyncSession, report: Report, contribution: Contribution, *, base_url: str
) -> None:
    """The confirmation of receipt (for a notice of illegal content, DSA article 16(4))."""
    reporter = await db.get_one(User, report.reporter_id)
    ref = await _ref(db, contribution.key_message_id)
    with speaking(reporter.locale):
        body = render_text(
            "report_received.txt",
            {
                "name": reporter.display_name,
                "ref": ref,
                "link": _link(base_url, contribution.id),
                "reason": report_reason_labels()[report.reason],
                "notice": report.illegal_what is not None,
                "base_url": base_url,
            },
        )
        subject = _("We received your report")
    await queue_mail(db, reporter.email, subject, body)


async def tell_about_decision(
    db: AsyncSession, entry: ModerationLogEntry, contribution: Contribution, *, base_url: str
) -> None:
    """Mail everyone a decision concerns: the readers whose reports it answered, and the
    author when it changed what readers see of their contribution or answered their appeal."""
    consultation, ref = await _place(db, contribution.key_message_id)

    def common() -> dict[str, object]:
        """What every mail about the decision says, in the language being written."""
        rule = rule_named(consultation, entry.rule)
        return {
            "ref": ref,
            "link": _link(base_url, contribution.id),
            "decision": decision_labels()[entry.action],
            "reason": entry.reason,
            "rule": f"{rule.ref}, {rule.title}" if rule else "",
            "rule_text": rule.text if rule else "",
            "base_url": base_url,
        }

    closed_kinds = set(await db.scalars(select(QueueItem.kind).where(QueueItem.decision_id == entry.id)))
    for reporter in await _reporters_answered(db, entry):
        with speaking(reporter.locale):
            body = render_text("report_decided.txt", {**common(), "name": reporter.display_name})
            subject = _("The moderators decided on your report")
        await queue_mail(db, reporter.email, subject, body)
    author = await db.get_one(User, contribution.author_id)
    if author.erased_at is not None:
        return
    with speaking(author.locale):
        if QueueKind.APPEAL in closed_kinds:
            restored = entry.action is ModerationAction.RESTORE
            body = render_text("appeal_decided.txt", {**common(), "name": author.display_name, "restored": restored})
            subject = _("Your appeal was decided")
        elif entry.action in (ModerationAction.HIDE, ModerationAction.RESTORE):
            body = render_text(
                "decision_statement.txt",
                {
                    **common(),
                    "name": author.display_name,
                    "hidden": entry.action is ModerationAction.HIDE,
                    "date": format_instant_brussels(entry.created_at),
                    "appeal_link": f"{base_url}{path_for('appeal', contribution_id=contribution.id)}",
                },
            )
            subject = (
                _("Your contribution was hidden: the reasons")
                if entry.action is ModerationAction.HIDE
                else _("Your contribution is shown again")
            )
        else:
            return
    await queue_mail(db, author.email, subject, body)


async def tell_author_of_hold(
    db: AsyncSession, entry: ModerationLogEntry, contribution: Contribution, *, base_url: str
) -> None:
    """The author learns that their contribution is hidden while the moderators look into
    it, and why; the final decision follows with its statement of reasons. Reporters hear
    nothing yet: their reports are still open."""
    author = await db.get_one(User, contribution.author_id)
    if author.erased_at is not None:
        return
    consultation, ref = await _place(db, contribution.key_message_id)
    with speaking(author.locale):
        rule = rule_named(consultation, entry.rule)
        body = render_text(
            "hold_notice.txt",
            {
                "name": author.display_name,
                "ref": ref,
                "link": _link(base_url, contribution.id),
                "date": format_instant_brussels(entry.created_at),
                "reason": entry.reason,
                "rule": f"{rule.ref}, {rule.title}" if rule else "",
                "base_url": base_url,
            },
        )
        subject = _("Your contribution is on hold while the moderators review it")
    await queue_mail(db, author.email, subject, body)


async def tell_author_of_held(
    db: AsyncSession, held: HeldContribution, entry: ModerationLogEntry, *, base_url: str
) -> None:
    """The author learns the outcome: the link to the published contribution, or the
    statement of reasons for not publishing it."""
    author = await db.get_one(User, held.author_id)
    if author.erased_at is not None:
        return
    consultation, ref = await _place(db, held.key_message_id)
    approved = entry.action is ModerationAction.APPROVE
    link = f"{base_url}{path_for('thread', contribution_id=held.contribution_id)}" if held.contribution_id else ""
    with speaking(author.locale):
        rule = rule_named(consultation, entry.rule)
        body = render_text(
            "held_decided.txt",
            {
                "name": author.display_name,
                "ref": ref,
                "approved": approved,
                "link": link,
                "written": format_instant_brussels(held.created_at),
                "date": format_instant_brussels(entry.created_at),
                "reason": entry.reason,
                "rule": f"{rule.ref}, {rule.title}" if rule else "",
                "rule_text": rule.text if rule else "",
                "appeal_link": "" if approved else f"{base_url}{path_for('held_appeal', held_id=held.id)}",
                "base_url": base_url,
            },
        )
        subject = (
            _("Your contribution is published") if approved else _("Your contribution was not published: the reasons")
        )
    await queue_mail(db, author.email, subject, body)


async def tell_author_of_held_appeal(
    db: AsyncSession, held: HeldContribution, entry: ModerationLogEntry, *, base_url: str
) -> None:
    """The result of an appeal against not publishing a held contribution."""
    author = await db.get_one(User, held.author_id)
    if author.erased_at is not None:
        return
    _consultation, ref = await _place(db, held.key_message_id)
    published = entry.action is ModerationAction.APPROVE
    with speaking(author.locale):
        body = render_text(
            "held_appeal_decided.txt",
            {
                "name": author.display_name,
                "ref": ref,
                "published": published,
                "link": _link(base_url, held.contribution_id) if held.contribution_id else "",
                "reason": entry.reason,
                "base_url": base_url,
            },
        )
        subject = _("Your appeal was decided")
    await queue_mail(db, author.email, subject, body)


async def _reporters_answered(db: AsyncSession, entry: ModerationLogEntry) -> list[User]:
    reporters = await db.scalars(
        select(User)
        .join(Report, Report.reporter_id == User.id)
        .join(QueueItem, QueueItem.id == Report.queue_item_id)
        .where(QueueItem.decision_id == entry.id, User.erased_at.is_(None))
        .order_by(Report.id)
    )
    return list(reporters)


async def _place(db: AsyncSession, key_message_id: int) -> tuple[Consultation, str]:
    consultation, ref = (
        await db.execute(
            select(Consultation, KeyMessage.ref)
            .join(KeyMessage, KeyMessage.consultation_id == Consultation.id)
            .where(KeyMessage.id == key_message_id)
        )
    ).one()
    return consultation, ref


async def _ref(db: AsyncSession, key_message_id: int) -> str:
    ref: str = await db.scalar(select(KeyMessage.ref).where(KeyMessage.id == key_message_id)) or ""
    return ref


def _link(base_url: str, contribution_id: int) -> str:
    return f"{base_url}{path_for('thread', contribution_id=contribution_id)}#c{contribution_id}"
