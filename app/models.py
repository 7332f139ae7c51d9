"""Every model, imported once so Alembic and tests see the whole metadata."""

from app.accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    SignInFailure,
    User,
    UserSession,
)
from app.consultation.models import Consultation, Footnote, KeyMessage, Paragraph, Section
from app.db import Base
from app.discussion.models import Contribution, ContributionStatus
from app.export.models import ExportRecord
from app.fragments import RenderedFragment
from app.moderation.models import ModerationAction, ModerationLogEntry

__all__ = [
    "Base",
    "Consultation",
    "Contribution",
    "ContributionStatus",
    "ExportRecord",
    "Footnote",
    "KeyMessage",
    "Membership",
    "ModerationAction",
    "ModerationLogEntry",
    "Organisation",
    "OrganisationType",
    "Paragraph",
    "RenderedFragment",
    "Role",
    "Section",
    "SignInFailure",
    "User",
    "UserSession",
]
