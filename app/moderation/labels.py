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
        ModerationAction.RETAG: _("Correct the topics"),
        ModerationAction.PIN: _("Pin as a highlight"),
        ModerationAction.UNPIN: _("Unpin"),
        ModerationAction.MERGE: _("Merge into another thread"),
    }
