"""An organisation's members, editing its profile, and verifying it. (The contributions its
profile lists: app.discussion.organisation_contributions.)"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.audit.services import ORGANISATION_UNVERIFY, ORGANISATION_VERIFICATION_LAPSE, ORGANISATION_VERIFY, record
from app.db import utcnow
from app.fragments import clear_fragments
from app.i18n import _
from app.organisations.directory import organisation_name_key, organisation_search_key, tidy_name
from app.organisations.models import EcosocStatus, Membership, Organisation, OrganisationType, VerificationState

#: The EU Transparency Register's identification number, e.g. 123456789012-34.
TRANSPARENCY_REGISTER_ID = re.compile(r"^\d{9,12}-\d{2}$")


class OrganisationError(Exception):
    """A rule about organisations was broken; the message is for the person, by field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MemberView:
    user_id: int
    display_name: str
    is_admin: bool


async def organisation_by_id(db: AsyncSession, organisation_id: int) -> Organisation | None:
    return await db.get(Organisation, organisation_id)


async def members(db: AsyncSession, organisation: Organisation) -> list[MemberView]:
    """Admins first, then by name; erased accounts are not listed."""
    rows = await db.execute(
        select(User.id, User.display_name, Membership.is_admin)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, User.erased_at.is_(None))
        .order_by(Membership.is_admin.desc(), User.display_name, User.id)
    )
    return [MemberView(*row) for row in rows]


@dataclass(frozen=True)
class ProfileEdit:
    name: str
    type: OrganisationType
    country: str
    website: str | None
    description: str
    transparency_register_id: str | None
    ecosoc_status: EcosocStatus
    origin_countries: list[str]


#: The facts a moderator checks before verifying: changing any of them ends the verification.
#: Origins count in tallies and exports like the country, so they are checked facts too.
CHECKED_FACTS = ("name", "type", "country", "website", "transparency_register_id", "ecosoc_status", "origin_countries")


async def update_profile(db: AsyncSession, organisation: Organisation, edit: ProfileEdit, *, editor: User) -> bool:
    """Organisations stay unique by name and country. The name, type and country show on
    every contribution and origins count in tallies, so cached discussion fragments go.
    A verified organisation whose checked facts change is no longer verified (see lapse);
    returns whether that happened."""
    key = organisation_name_key(edit.name)
    clash = await db.scalar(
        select(Organisation.id).where(
            Organisation.name_key == key, Organisation.country == edit.country, Organisation.id != organisation.id
        )
    )
    if clash is not None:
        raise OrganisationError("name", _("Another organisation with this name is registered in this country."))
    previous = {fact: _fact(organisation, fact) for fact in CHECKED_FACTS}
    organisation.name = tidy_name(edit.name)
    organisation.name_key = key
    organisation.search_key = organisation_search_key(edit.name)
    organisation.type = edit.type
    organisation.country = edit.country
    organisation.website = edit.website
    organisation.description = edit.description
    organisation.transparency_register_id = edit.transparency_register_id
    organisation.ecosoc_status = edit.ecosoc_status
    organisation.origin_countries = edit.origin_countries if edit.type is OrganisationType.DIASPORA else []
    changed = {fact: value for fact, value in previous.items() if _fact(organisation, fact) != value}
    lapsed = bool(changed) and organisation.verification is VerificationState.VERIFIED
    if lapsed:
        lapse(db, organisation, changed, editor=editor)
    await clear_fragments(db)
    await db.flush()
    return lapsed


def _fact(organisation: Organisation, fact: str) -> str | list[str] | None:
    """A checked fact as JSON-native data (enums by value), to compare and to audit."""
    value = getattr(organisation, fact)
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return None if value is None else str(value)


def lapse(db: AsyncSession, organisation: Organisation, previous: dict[str, Any], *, editor: User) -> None:
    """The verification vouched for facts that are no longer those shown: it ends at once,
    the audit log keeps what they were, and the moderators' list says which changed. The
    last note on how it was checked stays, as history."""
    organisation.verification = VerificationState.UNVERIFIED
    organisation.verified_at = None
    organisation.verified_by_id = None
    organisation.verification_lapsed_at = utcnow()
    organisation.verification_lapsed_fields = list(previous)
    record(
        db,
        ORGANISATION_VERIFICATION_LAPSE,
        actor=editor,
        organisation=organisation,
        details={"fields": list(previous), "previous": previous},
    )


async def verify(db: AsyncSession, organisation: Organisation, *, moderator: User, note: str) -> None:
    """A moderator vouches that the organisation is who it says, saying how they checked.
    The badge shows on existing contributions, so cached discussion fragments go."""
    organisation.verification = VerificationState.VERIFIED
    organisation.verified_at = utcnow()
    organisation.verified_by_id = moderator.id
    organisation.verification_note = note
    organisation.verification_lapsed_at = None
    organisation.verification_lapsed_fields = []
    record(db, ORGANISATION_VERIFY, actor=moderator, organisation=organisation, details={"note": note})
    await clear_fragments(db)
    await db.flush()


async def unverify(db: AsyncSession, organisation: Organisation, *, moderator: User, note: str) -> None:
    """Take the badge back (the note says why); recorded like verifying."""
    organisation.verification = VerificationState.UNVERIFIED
    organisation.verified_at = None
    organisation.verified_by_id = None
    organisation.verification_note = note
    record(db, ORGANISATION_UNVERIFY, actor=moderator, organisation=organisation, details={"note": note})
    await clear_fragments(db)
    await db.flush()
