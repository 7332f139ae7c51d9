"""Labels of report reasons and moderation decisions, translated at the time of use."""

from __future__ import annotations

from app.i18n import _, cached_per_locale
from app.moderation.models import ModerationAction, ReportReason


@cached_per_locale
def report_reason_labels() -> dict[ReportReason, str]:
    return {
        ReportReason.SPAM: _("Spam or advertising"),
        ReportReason.ABUSIVE: _("Abusive or hateful"),
        ReportReason.OFF_TOPIC: _("Off topic"),
        ReportReason.PERSONAL_DATA: _("It exposes someone's personal data"),
        ReportReason.MISLEADING: _("Misleading"),
        ReportReason.ILLEGAL: _("Illegal content"),
    }


@cached_per_locale
def decision_labels() -> dict[ModerationAction, str]:
    """What a moderator's button says for each decision on a reported contribution."""
    return {
        ModerationAction.KEEP: _("Keep as it is"),
        ModerationAction.HIDE: _("Hide"),
        ModerationAction.RESTORE: _("Restore"),
        ModerationAction.HOLD: _("Hold: hide it while the moderators look into it"),
        ModerationAction.RETAG: _("Correct the topics"),
        ModerationAction.APPROVE: _("Approve: publish it"),
        ModerationAction.REJECT: _("Reject: do not publish it"),
        ModerationAction.LOCK: _("Lock the thread: no new replies"),
        ModerationAction.UNLOCK: _("Unlock the thread"),
        ModerationAction.DUPLICATE: _("Mark as a duplicate of another contribution"),
        ModerationAction.PIN: _("Pin as a highlight"),
        ModerationAction.UNPIN: _("Unpin"),
        ModerationAction.MERGE: _("Merge into another thread"),
    }


@cached_per_locale
def public_decision_labels() -> dict[ModerationAction, str]:
    """What the public moderation log calls each decision, once taken."""
    return {
        ModerationAction.KEEP: _("Kept as it was"),
        ModerationAction.HIDE: _("Hidden"),
        ModerationAction.RESTORE: _("Restored"),
        ModerationAction.HOLD: _("Held for review"),
        ModerationAction.RETAG: _("Topics corrected"),
        ModerationAction.APPROVE: _("Approved for publication"),
        ModerationAction.REJECT: _("Not published"),
        ModerationAction.LOCK: _("Thread locked"),
        ModerationAction.UNLOCK: _("Thread unlocked"),
        ModerationAction.DUPLICATE: _("Marked as a duplicate"),
        ModerationAction.PIN: _("Pinned as a highlight"),
        ModerationAction.UNPIN: _("Highlight unpinned"),
        ModerationAction.MERGE: _("Thread merged into another"),
    }
