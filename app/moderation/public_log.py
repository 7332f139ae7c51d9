"""A consultation's public moderation log: every decision taken on its contributions, newest
first, in keyset pages of the index (consultation_id, id), so a page costs the same however
long the log. It shows what was decided, when, under which rule and why, and links to the
contribution's place in its thread; never the contribution's text, its author, the
moderator or anything about who reported it (the columns are chosen one by one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation
from app.discussion.models import Contribution, PublicationConsent
from app.discussion.publication import PUBLIC, is_listed_for
from app.moderation.models import ModerationAction, ModerationLogEntry
from app.moderation.rules import Rule, rule_named

PAGE_SIZE = 50


@dataclass(frozen=True)
class PublicDecision:
    id: int
    created_at: datetime
    action: ModerationAction
    #: The ref of the rule the decision applied, and the rule itself while the consultation
    #: still has it.
    rule_ref: str | None
    rule: Rule | None
    reason: str
    #: The contribution, for the link to its thread; None when it is not for publication or
    #: was never published (a held contribution rejected).
    contribution_id: int | None


@dataclass(frozen=True)
class PublicLogPage:
    decisions: list[PublicDecision]
    #: The `before` of the next, older page; None on the last page.
    older_than: int | None


async def public_log_page(
    db: AsyncSession, consultation: Consultation, *, before: int | None = None, page_size: int = PAGE_SIZE
) -> PublicLogPage:
    """The decisions on the consultation's contributions with an id below `before` (none:
    from the newest), at most `page_size` of them."""
    statement = (
        select(
            ModerationLogEntry.id,
            ModerationLogEntry.created_at,
            ModerationLogEntry.action,
            ModerationLogEntry.rule,
            ModerationLogEntry.reason,
            ModerationLogEntry.contribution_id,
            Contribution.publication,
        )
        .outerjoin(Contribution, Contribution.id == ModerationLogEntry.contribution_id)
        .where(ModerationLogEntry.consultation_id == consultation.id)
        .order_by(ModerationLogEntry.id.desc())
        .limit(page_size + 1)
    )
    if before is not None:
        statement = statement.where(ModerationLogEntry.id < before)
    rows = (await db.execute(statement)).all()
    decisions = [
        PublicDecision(
            id=row.id,
            created_at=row.created_at,
            action=row.action,
            rule_ref=row.rule,
            rule=rule_named(consultation, row.rule) if row.rule else None,
            reason=row.reason,
            contribution_id=row.contribution_id if _linked(row.contribution_id, row.publication) else None,
        )
        for row in rows[:page_size]
    ]
    older_than = decisions[-1].id if len(rows) > page_size else None
    return PublicLogPage(decisions, older_than)


def _linked(contribution_id: int | None, publication: PublicationConsent | None) -> bool:
    return contribution_id is not None and publication is not None and is_listed_for(publication, PUBLIC)
