"""Readers report contributions to the moderators: once per reader and contribution, with a
reason, and for illegal content the notice the EU's Digital Services Act asks for (article
16: what is illegal and why, where, in good faith). Reports of a contribution join its one
waiting item of the moderation queue. Nothing here is ever shown publicly or to the author."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.db import insert_into, utcnow
from app.discussion.models import Contribution, ContributionStatus
from app.i18n import _
from app.moderation.models import QueueItem, QueueKind, QueueReason, Report, ReportReason
from app.moderation.notices import tell_reporter_received
from app.moderation.services import ModerationError, consultation_of

MAX_EXPLANATION_CHARS = 2000
MIN_NOTICE_CHARS = 10


@dataclass(frozen=True)
class ReportDraft:
    """What the report form sends, as typed (cleaned of control characters)."""

    reason: str
    explanation: str = ""
    illegal_what: str = ""
    illegal_where: str = ""
    good_faith: bool = False


class AlreadyReported(ModerationError):
    def __init__(self) -> None:
        super().__init__("reason", _("You have already reported this contribution. The moderators have your report."))


def validated_report(draft: ReportDraft) -> ReportDraft:
    """The draft with its text trimmed, or ModerationError naming the field at fault."""
    try:
        reason = ReportReason(draft.reason)
    except ValueError:
        raise ModerationError("reason", _("Choose why you are reporting this contribution.")) from None
    explanation, what, where = (text.strip() for text in (draft.explanation, draft.illegal_what, draft.illegal_where))
    for field, text in (("explanation", explanation), ("illegal_what", what), ("illegal_where", where)):
        if len(text) > MAX_EXPLANATION_CHARS:
            raise ModerationError(field, _("Keep this under %(n)s characters.", n=MAX_EXPLANATION_CHARS))
    if reason is ReportReason.ILLEGAL:
        if len(what) < MIN_NOTICE_CHARS:
            raise ModerationError("illegal_what", _("Say which words are illegal and why, in a sentence or two."))
        if not where:
            raise ModerationError("illegal_where", _("Say in which country, or under which law, it is illegal."))
        if not draft.good_faith:
            raise ModerationError(
                "good_faith", _("Confirm that you believe in good faith that your notice is accurate.")
            )
    else:
        what = where = ""
    return ReportDraft(reason.value, explanation, what, where, reason is ReportReason.ILLEGAL and draft.good_faith)


async def report_contribution(
    db: AsyncSession, *, reporter: User, contribution: Contribution, draft: ReportDraft, base_url: str
) -> Report:
    """Record the report, add it to the contribution's waiting queue item (opening one if
    none waits) and mail the reporter a confirmation. The caller commits. A reader who
    reported it before, even in a request running at the same time, gets AlreadyReported
    and nothing is written."""
    draft = validated_report(draft)
    if contribution.author_id == reporter.id:
        raise ModerationError("reason", _("This is your own contribution: you can edit or withdraw it instead."))
    if contribution.status is not ContributionStatus.VISIBLE:
        raise ModerationError("reason", _("This contribution is no longer shown: there is nothing left to report."))
    if await db.scalar(
        select(Report.id).where(Report.contribution_id == contribution.id, Report.reporter_id == reporter.id)
    ):
        raise AlreadyReported
    try:
        async with db.begin_nested():
            item_id = await _join_waiting_item(db, contribution, ReportReason(draft.reason))
            report = Report(
                contribution_id=contribution.id,
                reporter_id=reporter.id,
                reason=ReportReason(draft.reason),
                explanation=draft.explanation or None,
                illegal_what=draft.illegal_what or None,
                illegal_where=draft.illegal_where or None,
                good_faith=draft.good_faith,
                queue_item_id=item_id,
            )
            db.add(report)
            await db.flush()
    except IntegrityError:  # the same reader's other request got there first
        raise AlreadyReported from None
    await tell_reporter_received(db, report, contribution, base_url=base_url)
    return report


async def _join_waiting_item(db: AsyncSession, contribution: Contribution, reason: ReportReason) -> int:
    """The id of the contribution's waiting item, counting one more report: one statement, so
    readers reporting at the same moment join one item (uq_moderation_queue_waiting). The
    reason is noted for the queue's filter, once per item (QueueReason)."""
    consultation_id = await consultation_of(db, contribution)
    statement = insert_into(db, QueueItem).values(
        kind=QueueKind.REPORTED,
        contribution_id=contribution.id,
        consultation_id=consultation_id,
        key_message_id=contribution.key_message_id,
        opened_at=utcnow(),
        report_count=1,
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[QueueItem.kind, QueueItem.contribution_id],
        index_where=QueueItem.decided_at.is_(None),
        set_={"report_count": QueueItem.report_count + 1},
    ).returning(QueueItem.id, QueueItem.opened_at)
    item_id, opened_at = (await db.execute(upsert)).one()
    noted = insert_into(db, QueueReason).values(queue_item_id=item_id, reason=reason, opened_at=opened_at)
    await db.execute(noted.on_conflict_do_nothing(index_elements=[QueueReason.queue_item_id, QueueReason.reason]))
    return int(item_id)
