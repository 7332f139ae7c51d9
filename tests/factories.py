"""Factories per domain. Each takes the session explicitly, so forgetting it fails loudly."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.services import create_user
from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import key_message_by_ref
from app.db import utcnow
from app.discussion.contribution_write import Draft, publish_position, publish_reply
from app.discussion.models import Contribution
from app.organisations.directory import NewOrganisation, find_or_create_organisation, place_member
from app.organisations.models import Membership, Organisation, OrganisationType
from app.security.roles import Role

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


async def author_in_session(db: AsyncSession, user_id: int) -> User:
    """A person as publishing reads them, with the organisations they speak for, loaded in
    `db` (a test that writes from sessions of its own, as concurrent requests do)."""
    author = await db.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.memberships).joinedload(Membership.organisation))
    )
    assert author is not None
    return author


async def make_organisation(
    db: AsyncSession,
    *,
    name: str | None = None,
    type: OrganisationType = OrganisationType.CIVIL_SOCIETY,
    country: str = "SN",
) -> Organisation:
    return await find_or_create_organisation(
        db, NewOrganisation(name or f"Organisation {next(_counter)}", type, country)
    )


async def make_user(
    db: AsyncSession,
    *,
    role: Role = Role.PARTICIPANT,
    organisation: Organisation | None = None,
    email: str | None = None,
    name: str | None = None,
    with_organisation: bool = True,
    verified: bool = True,
    two_factor: bool | None = None,
    organisation_admin: bool = False,
) -> User:
    """A person; moderators, negotiators and admins get two-factor on unless
    `two_factor=False` (their secret is `totp_secret_for(email)`, so sign_in can answer)."""
    number = next(_counter)
    if organisation is None and with_organisation:
        organisation = await make_organisation(db)
    user = await create_user(
        db,
        email=email or f"person{number}@example.org",
        password=PASSWORD,
        display_name=name or f"Person {number}",
        role=role,
    )
    if organisation is not None:
        await place_member(db, user, organisation, admin=organisation_admin)
    if verified:
        user.email_verified_at = utcnow()
    if role is not Role.PARTICIPANT if two_factor is None else two_factor:
        user.totp_secret = totp_secret_for(user.email)
        user.totp_enabled_at = utcnow()
    return user


def totp_secret_for(email: str) -> str:
    """The TOTP secret make_user gives a person: derived from the email, so any helper that
    knows who signs in can compute the current code (random per person all the same)."""
    return base64.b32encode(hashlib.sha256(f"totp:{email.lower()}".encode()).digest()[:20]).decode()


def key_message(consultation: Consultation, ref: str) -> KeyMessage:
    message = key_message_by_ref(consultation, ref)
    assert message is not None, ref
    return message


async def make_position(
    db: AsyncSession,
    consultation: Consultation,
    *,
    author: User,
    ref: str = "RT2-KM3",
    position: str = "support",
    body: str = "We support this key message.",
    **draft: Any,
) -> Contribution:
    """A position; `draft` sets other Draft fields (publication, topics, quote_text, ...).
    A position that amends gets a proposed wording unless one is given."""
    if position in consultation.amendment_positions:
        draft.setdefault("amendment_text", "A proposed new wording of this key message.")
    result = await publish_position(
        db,
        author=author,
        consultation=consultation,
        key_message=key_message(consultation, ref),
        draft=Draft(body=body, submission_key=secrets.token_urlsafe(12), position=position, **draft),
        max_chars=10_000,
    )
    return result.contribution


async def make_reply(
    db: AsyncSession, *, author: User, parent: Contribution, body: str = "A reply.", **draft: Any
) -> Contribution:
    result = await publish_reply(
        db,
        author=author,
        parent=parent,
        key_message=await db.get_one(KeyMessage, parent.key_message_id),
        draft=Draft(body=body, submission_key=secrets.token_urlsafe(12), **draft),
        max_chars=10_000,
    )
    return result.contribution
