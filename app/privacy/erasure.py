"""Deleting an account: personal data is erased in one transaction, the row stays so the
threads a person took part in keep their shape."""

from __future__ import annotations

import enum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import AccountToken, RecoveryCode, SignInFailure, User, UserIdentity, UserRole, UserSession
from app.audit.services import PRIVACY_ERASE, record
from app.db import utcnow
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionRevision, ContributionStatus
from app.fragments import clear_fragments
from app.i18n import _
from app.mail.models import OutgoingMail
from app.organisations.models import Invitation, JoinRequest, JoinRequestStatus, Membership, Organisation

#: What an erased person is called, in the database and in exports (pages translate it).
ERASED_NAME = "Former participant"


class PersonalContributions(enum.Enum):
    """What happens to the contributions a person made for themselves (no organisation)."""

    REMOVE = "remove"  #: withdrawn: the text is deleted, replies stay readable
    KEEP = "keep"  #: kept, shown as by a former participant


class ErasureRefused(Exception):
    """The account cannot be deleted yet; the message says what to do first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def erased_email(user_id: int) -> str:
    """Unique (the column is) and undeliverable (.invalid is reserved, RFC 2606)."""
    return f"erased-{user_id}@invalid"


async def organisations_needing_handover(db: AsyncSession, user: User) -> list[Organisation]:
    """Organisations the person is the only admin of while others remain members: deleting
    the account would leave those members without anyone to run the organisation."""
    others = aliased(Membership)
    other_admins = (
        select(func.count())
        .select_from(others)
        .where(others.organisation_id == Organisation.id, others.is_admin, others.user_id != user.id)
        .scalar_subquery()
    )
    other_members = (
        select(func.count())
        .select_from(others)
        .where(others.organisation_id == Organisation.id, others.user_id != user.id)
        .scalar_subquery()
    )
    query = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.is_admin, other_admins == 0, other_members > 0)
        .order_by(Organisation.name)
    )
    return list((await db.scalars(query)).all())


async def contribution_counts(db: AsyncSession, user: User) -> dict[str, int]:
    """How many contributions the person made for themselves and for an organisation."""
    rows = await db.execute(
        select(Contribution.organisation_id.is_(None), func.count())
        .where(Contribution.author_id == user.id)
        .group_by(Contribution.organisation_id.is_(None))
    )
    counts = {"personal": 0, "organisation": 0}
    for personal, count in rows:
        counts["personal" if personal else "organisation"] += count
    return counts


async def erase_account(db: AsyncSession, user: User, *, contributions: PersonalContributions) -> None:
    """Erase everything that identifies the person, or refuse (ErasureRefused) before
    changing anything. Contributions made for an organisation stay, attributed to it.
    The caller commits, then signs the browser out."""
    blocking = await organisations_needing_handover(db, user)
    if blocking:
        names = ", ".join(organisation.name for organisation in blocking)
        raise ErasureRefused(
            _(
                "You are the only administrator of %(names)s. Make another member an administrator "
                "first, so the organisation is not left without one.",
                names=names,
            )
        )
    await _settle_contributions(db, user, contributions)
    await _delete_personal_rows(db, user)
    _erase_profile(user)
    await db.flush()
    await clear_fragments(db)
    record(db, PRIVACY_ERASE, actor=None, subject_user=user, details={"contributions": contributions.value})
    await db.flush()


async def _settle_contributions(db: AsyncSession, user: User, choice: PersonalContributions) -> None:
    """Withdraw personal contributions if asked, and mark every discussion the person took
    part in as changed, so no stored page keeps their name."""
    key_messages = await db.scalars(
        select(Contribution.key_message_id).where(Contribution.author_id == user.id).distinct()
    )
    for key_message_id in list(key_messages):
        await mark_discussion_changed(db, key_message_id)
    if choice is PersonalContributions.REMOVE:
        personal = select(Contribution.id).where(
            Contribution.author_id == user.id, Contribution.organisation_id.is_(None)
        )
        await db.execute(delete(ContributionRevision).where(ContributionRevision.contribution_id.in_(personal)))
        await db.execute(
            update(Contribution)
            .where(Contribution.author_id == user.id, Contribution.organisation_id.is_(None))
            .values(
                status=ContributionStatus.WITHDRAWN,
                body_source="",
                body_html="",
                amendment_text=None,
                quote_text=None,
                quote_start=None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session="fetch")
        )


async def _delete_personal_rows(db: AsyncSession, user: User) -> None:
    await db.execute(delete(UserSession).where(UserSession.user_id == user.id))
    await db.execute(delete(UserIdentity).where(UserIdentity.user_id == user.id))
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await db.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    await db.execute(delete(Membership).where(Membership.user_id == user.id))
    await db.execute(delete(UserRole).where(UserRole.user_id == user.id))
    await db.execute(
        delete(JoinRequest).where(JoinRequest.user_id == user.id, JoinRequest.status == JoinRequestStatus.PENDING)
    )
    # Decided requests stay in the organisation's history, without the person's words.
    await db.execute(update(JoinRequest).where(JoinRequest.user_id == user.id).values(message=""))
    await db.execute(delete(SignInFailure).where(SignInFailure.account_key.in_([user.email, f"totp:{user.id}"])))
    await db.execute(delete(OutgoingMail).where(OutgoingMail.recipient == user.email))
    await db.execute(delete(Invitation).where(Invitation.email == user.email, Invitation.accepted_at.is_(None)))
    await db.execute(update(Invitation).where(Invitation.email == user.email).values(email=erased_email(user.id)))


def _erase_profile(user: User) -> None:
    user.display_name = ERASED_NAME
    user.email = erased_email(user.id)
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.email_verified_at = None
    user.is_active = False
    user.erased_at = utcnow()
