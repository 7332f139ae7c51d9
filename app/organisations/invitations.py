"""Invitations by email: a single-use link, valid for seven days, of which only a SHA-256
is stored (as in app.accounts.tokens). Accepting needs an account with the invited address."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.services import normalise_email
from app.accounts.tokens import TokenError, token_hash
from app.audit import services as audit
from app.db import utcnow
from app.i18n import _, current_locale, speaking
from app.mail.services import queue_mail
from app.mail.templating import render_text
from app.organisations.membership import add_member
from app.organisations.models import Invitation, Organisation
from app.urls import path_for

LIFETIME = timedelta(days=7)


async def invite(
    db: AsyncSession, organisation: Organisation, *, inviter: User, email: str, base_url: str, as_admin: bool = False
) -> Invitation:
    """Queue the invitation mail; a new invitation replaces unused ones to the same address."""
    email = normalise_email(email)
    await db.execute(
        delete(Invitation).where(
            Invitation.organisation_id == organisation.id, Invitation.email == email, Invitation.accepted_at.is_(None)
        )
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        invited_by_id=inviter.id,
        as_admin=as_admin,
        token_hash=token_hash(raw),
        expires_at=utcnow() + LIFETIME,
    )
    db.add(invitation)
    # In the invitee's language if they have an account here, else in the inviter's.
    invitee_locale = await db.scalar(select(User.locale).where(User.email == email))
    with speaking(invitee_locale or current_locale.get()):
        body = render_text(
            "organisation_invitation.txt",
            {
                "inviter": inviter.display_name,
                "organisation": organisation.name,
                "link": f"{base_url}{path_for('organisation_invitation')}?token={raw}",
                "days": LIFETIME.days,
                "base_url": base_url,
            },
        )
        subject = _("Join %(organisation)s on Roundtable", organisation=organisation.name)
    await queue_mail(db, email, subject, body)
    # The address is not kept in the details: it may not belong to anyone here yet.
    audit.record(db, audit.INVITATION_SEND, actor=inviter, organisation=organisation, details={"admin": as_admin})
    await db.flush()
    return invitation


async def check_invitation(db: AsyncSession, raw: str) -> Invitation:
    """The invitation if it could be accepted now; raises TokenError otherwise."""
    invitation = await db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(raw)))
    if invitation is None:
        raise TokenError("unknown", _("This link is not valid."))
    if invitation.accepted_at is not None:
        raise TokenError("used", _("This link has already been used."))
    if _aware(invitation.expires_at) <= utcnow():
        raise TokenError("expired", _("This link has expired."))
    return invitation


async def accept_invitation(db: AsyncSession, raw: str, user: User) -> Organisation:
    """The invited address must be the signed-in person's: the link may have been forwarded.
    Marking it accepted is one conditional UPDATE, so the link works once even when raced."""
    invitation = await check_invitation(db, raw)
    if invitation.email != user.email:
        raise TokenError(
            "wrong_account",
            _("This invitation is for %(email)s. Sign in with that address to accept it.", email=invitation.email),
        )
    result = await db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenError("used", _("This link has already been used."))
    organisation = await db.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # the invitation is deleted with its organisation
    await add_member(db, organisation, user.id, admin=invitation.as_admin)
    audit.record(db, audit.INVITATION_ACCEPT, actor=user, subject_user=user, organisation=organisation)
    return organisation


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
