"""Everything the platform holds about a person, as JSON-native data they can download.

An allow-list like the consultation export: each record names the fields it gives, so a
new column (a secret, a hash) never slips into the file. Never included: the password hash,
the two-factor secret, recovery code and token hashes, session ids, and the text of mails
(they carry single-use links)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import SignInFailure, User, UserIdentity, UserRole, UserSession
from app.audit.models import AuditEvent
from app.consultation.models import Consultation, KeyMessage
from app.discussion.models import Contribution, ContributionRevision, Endorsement
from app.export.models import ExportFile, ExportRecord
from app.mail.models import OutgoingMail
from app.moderation.models import ModerationLogEntry
from app.organisations.models import Invitation, JoinRequest, Membership, Organisation

SCHEMA_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


async def personal_data(db: AsyncSession, user: User) -> dict[str, Any]:
    """The whole download for one person."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(datetime.now(UTC)),
        "profile": await _profile(db, user),
        "memberships": await _memberships(db, user),
        "sign_in_identities": await _identities(db, user),
        "sessions": await _sessions(db, user),
        "contributions": await _contributions(db, user),
        "earlier_versions_of_your_contributions": await _earlier_versions(db, user),
        "endorsements_you_signed": await _endorsements(db, user),
        "moderation_of_your_contributions": await _moderation(db, user),
        "sign_in_failures": await _sign_in_failures(db, user),
        "audit_events": await _audit_events(db, user),
        "join_requests": await _join_requests(db, user),
        "invitations_to_your_address": await _invitations(db, user),
        "mail_sent_to_you": await _mails(db, user),
        "exports_you_made": await _exports(db, user),
    }


async def _profile(db: AsyncSession, user: User) -> dict[str, Any]:
    roles = await db.scalars(select(UserRole.role).where(UserRole.user_id == user.id))
    return {
        "id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "email_verified_at": _iso(user.email_verified_at),
        "created_at": _iso(user.created_at),
        "active": user.is_active,
        "roles": sorted(["participant", *(role.value for role in roles)]),
        "two_factor": user.totp_enabled_at is not None,
        "has_password": user.password_hash is not None,
    }


async def _memberships(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [
        {
            "organisation": _organisation(organisation),
            "organisation_admin": membership.is_admin,
            "since": _iso(membership.created_at),
        }
        for membership, organisation in rows
    ]


def _organisation(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "type": organisation.type.value,
        "country": organisation.country,
    }


async def _identities(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id).order_by(UserIdentity.id))
    return [
        {
            "provider": identity.provider,
            "subject": identity.subject,
            "email": identity.email,
            "connected_at": _iso(identity.created_at),
            "last_used_at": _iso(identity.last_used_at),
        }
        for identity in rows
    ]


async def _sessions(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(UserSession.created_at, UserSession.expires_at)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at)
    )
    return [{"signed_in_at": _iso(created), "expires_at": _iso(expires)} for created, expires in rows]


async def _contributions(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(Contribution, KeyMessage.ref, Consultation.slug, Organisation.name)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.author_id == user.id)
        .order_by(Contribution.created_at, Contribution.id)
    )
    return [
        {
            "id": contribution.id,
            "consultation": slug,
            "key_message": ref,
            "parent_id": contribution.parent_id,
            "position": contribution.position,
            "on_behalf_of": organisation_name,
            "status": contribution.status.value,
            "moderation_reason": contribution.moderation_reason,
            "language": contribution.language,
            "body": contribution.body_source,
            "publication": contribution.publication.value,
            "amendment": contribution.amendment_text,
            "quote": contribution.quote_text,
            "created_at": _iso(contribution.created_at),
            "updated_at": _iso(contribution.updated_at),
            "edited_at": _iso(contribution.edited_at),
        }
        for contribution, ref, slug, organisation_name in rows
    ]


async def _earlier_versions(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    """The versions of their contributions that people replaced by editing them."""
    rows = await db.scalars(
        select(ContributionRevision)
        .join(Contribution, Contribution.id == ContributionRevision.contribution_id)
        .where(Contribution.author_id == user.id)
        .order_by(ContributionRevision.contribution_id, ContributionRevision.replaced_at)
    )
    return [
        {
            "contribution_id": revision.contribution_id,
            "position": revision.position,
            "body": revision.body_source,
            "amendment": revision.amendment_text,
            "written_at": _iso(revision.written_at),
            "replaced_at": _iso(revision.replaced_at),
        }
        for revision in rows
    ]


async def _endorsements(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    """Endorsements the person signed for an organisation."""
    rows = await db.execute(
        select(Endorsement.contribution_id, Organisation.name, Endorsement.created_at)
        .join(Organisation, Organisation.id == Endorsement.organisation_id)
        .where(Endorsement.endorsed_by_id == user.id)
        .order_by(Endorsement.created_at)
    )
    return [
        {"contribution_id": contribution_id, "on_behalf_of": name, "created_at": _iso(created_at)}
        for contribution_id, name, created_at in rows
    ]


async def _moderation(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    """Decisions about the person's contributions; who took them is the moderators' data."""
    rows = await db.scalars(
        select(ModerationLogEntry)
        .join(Contribution, Contribution.id == ModerationLogEntry.contribution_id)
        .where(Contribution.author_id == user.id)
        .order_by(ModerationLogEntry.created_at, ModerationLogEntry.id)
    )
    return [
        {
            "contribution_id": entry.contribution_id,
            "action": entry.action.value,
            "reason": entry.reason,
            "at": _iso(entry.created_at),
        }
        for entry in rows
    ]


async def _sign_in_failures(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(SignInFailure.attempted_at, SignInFailure.address, SignInFailure.account_key)
        .where(SignInFailure.account_key.in_([user.email, f"totp:{user.id}"]))
        .order_by(SignInFailure.attempted_at)
    )
    return [
        {"at": _iso(at), "address": address, "kind": "two_factor_code" if key.startswith("totp:") else "password"}
        for at, address, key in rows
    ]


async def _audit_events(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(AuditEvent.tag, AuditEvent.created_at, AuditEvent.address, AuditEvent.actor_id)
        .where(or_(AuditEvent.actor_id == user.id, AuditEvent.subject_user_id == user.id))
        .order_by(AuditEvent.id)
    )
    return [
        {"tag": tag, "at": _iso(at), "address": address, "you_acted": actor_id == user.id}
        for tag, at, address, actor_id in rows
    ]


async def _join_requests(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(JoinRequest, Organisation.name)
        .join(Organisation, Organisation.id == JoinRequest.organisation_id)
        .where(JoinRequest.user_id == user.id)
        .order_by(JoinRequest.id)
    )
    return [
        {
            "organisation": name,
            "message": request.message,
            "status": request.status.value,
            "created_at": _iso(request.created_at),
            "decided_at": _iso(request.decided_at),
        }
        for request, name in rows
    ]


async def _invitations(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(Invitation, Organisation.name)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .where(Invitation.email == user.email)
        .order_by(Invitation.id)
    )
    return [
        {
            "organisation": name,
            "email": invitation.email,
            "as_admin": invitation.as_admin,
            "created_at": _iso(invitation.created_at),
            "expires_at": _iso(invitation.expires_at),
            "accepted_at": _iso(invitation.accepted_at),
        }
        for invitation, name in rows
    ]


async def _mails(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(OutgoingMail.recipient, OutgoingMail.subject, OutgoingMail.created_at, OutgoingMail.sent_at)
        .where(OutgoingMail.recipient == user.email)
        .order_by(OutgoingMail.id)
    )
    return [
        {"to": recipient, "subject": subject, "queued_at": _iso(queued), "sent_at": _iso(sent)}
        for recipient, subject, queued, sent in rows
    ]


async def _exports(db: AsyncSession, user: User) -> list[dict[str, Any]]:
    """Exports made from the command line (export_records) and the files made for the
    person in the background (export_files, until they expire), oldest first."""
    recorded = await db.execute(
        select(ExportRecord.format, ExportRecord.created_at, Consultation.slug)
        .join(Consultation, Consultation.id == ExportRecord.consultation_id)
        .where(ExportRecord.user_id == user.id)
        .order_by(ExportRecord.id)
    )
    made = await db.execute(
        select(ExportFile.format, ExportFile.created_at, Consultation.slug)
        .join(Consultation, Consultation.id == ExportFile.consultation_id)
        .where(ExportFile.requested_by_id == user.id)
        .order_by(ExportFile.id)
    )
    rows = sorted([*recorded, *made], key=lambda row: _iso(row[1]) or "")
    return [{"consultation": slug, "format": fmt, "at": _iso(at)} for fmt, at, slug in rows]
