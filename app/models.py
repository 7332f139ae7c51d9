"""Every model, imported once so Alembic and tests see the whole metadata."""

from app.accounts.models import (
    AccountToken,
    RecoveryCode,
    SignInFailure,
    TokenPurpose,
    User,
    UserIdentity,
    UserRole,
    UserSession,
)
from app.audit.models import AuditEvent
from app.consolidation.models import ContributionReview, CurationNote, ReviewChange, RevisedWording, WordingSource
from app.consultation.models import (
    Consultation,
    ConsultationTranslation,
    Footnote,
    KeyMessage,
    KeyMessageTranslation,
    Paragraph,
    Section,
    SectionTranslation,
)
from app.db import Base
from app.discussion.models import Campaign, Contribution, ContributionStatus, HeldContribution
from app.discussion.position_counts import PositionCount
from app.discussion.thread_versions import ThreadVersion
from app.export.models import ExportFile, ExportFileChunk, ExportRecord
from app.fragments import RenderedFragment
from app.jobs.models import Job, JobStatus
from app.mail.models import OutgoingMail
from app.moderation.models import (
    Appeal,
    Highlight,
    ModerationAction,
    ModerationLogEntry,
    QueueItem,
    Report,
    ThreadMerge,
    ThreadSummary,
    ThreadSummaryVersion,
)
from app.organisations.models import (
    EcosocStatus,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Organisation,
    OrganisationType,
    VerificationState,
)
from app.security.roles import Role

__all__ = [
    "AccountToken",
    "Appeal",
    "AuditEvent",
    "Base",
    "Campaign",
    "Consultation",
    "ConsultationTranslation",
    "Contribution",
    "ContributionReview",
    "ContributionStatus",
    "CurationNote",
    "EcosocStatus",
    "ExportFile",
    "ExportFileChunk",
    "ExportRecord",
    "Footnote",
    "HeldContribution",
    "Highlight",
    "Invitation",
    "Job",
    "JobStatus",
    "JoinRequest",
    "JoinRequestStatus",
    "KeyMessage",
    "KeyMessageTranslation",
    "Membership",
    "ModerationAction",
    "ModerationLogEntry",
    "Organisation",
    "OrganisationType",
    "OutgoingMail",
    "Paragraph",
    "PositionCount",
    "QueueItem",
    "RecoveryCode",
    "RenderedFragment",
    "Report",
    "ReviewChange",
    "RevisedWording",
    "Role",
    "Section",
    "SectionTranslation",
    "SignInFailure",
    "ThreadMerge",
    "ThreadSummary",
    "ThreadSummaryVersion",
    "ThreadVersion",
    "TokenPurpose",
    "User",
    "UserIdentity",
    "UserRole",
    "UserSession",
    "VerificationState",
    "WordingSource",
]
