"""Reading an organisation's profile, editing it, and verifying it."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import EcosocStatus, Membership, Organisation, OrganisationType, User, VerificationState
from app.accounts.services import organisation_name_key
from app.audit.services import ORGANISATION_UNVERIFY, ORGANISATION_VERIFICATION_LAPSE, ORGANISATION_VERIFY, record
from app.consultation.models import Consultation, ConsultationStatus, KeyMessage, Topic
from app.db import utcnow
from app.discussion.list_order import newest_first_page, time_cursor
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.publication import PUBLIC, names_organisation
from app.discussion.topic_read import topics_among
from app.fragments import clear_fragments
from app.i18n import _

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


@dataclass(frozen=True)
class ContributionLink:
    id: int
    position: str | None
    created_at: datetime
    consultation_slug: str
    key_message_ref: str


@dataclass
class ContributionsPage:
    items: list[ContributionLink] = field(default_factory=list)
    next_cursor: str | None = None


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


def _listed_on_profile(organisation: Organisation) -> Select[int]:
    """Visible contributions made on the organisation's behalf in published consultations. Only
    those published under the organisation's name: an anonymous one listed here would name it."""
    return (
        select(Contribution.id)
        .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
        .join(Consultation, Consultation.id == KeyMessage.consultation_id)
        .where(
            Contribution.organisation_id == organisation.id,
            Contribution.status == ContributionStatus.VISIBLE,
            names_organisation(PUBLIC),
            Consultation.status != ConsultationStatus.DRAFT,
        )
    )


async def profile_topics(db: AsyncSession, organisation: Organisation) -> list[Topic]:
    """The topics of the contributions the profile lists: the choices of its topic filter."""
    return await topics_among(db, _listed_on_profile(organisation))


async def public_contributions(
    db: AsyncSession,
    organisation: Organisation,
    *,
    cursor: str | None,
    topic: str | None = None,
    page_size: int,
) -> ContributionsPage:
    """The contributions the profile lists, newest first, keyset-paged by (created_at, id),
    only those on `topic` (a slug) if one is given."""
    listed = _listed_on_profile(organisation).with_only_columns(
        Contribution.id, Contribution.position, Contribution.created_at, Consultation.slug, KeyMessage.ref
    )
    query = newest_first_page(listed, cursor=cursor, topic=topic, page_size=page_size)
    items = [ContributionLink(*row) for row in await db.execute(query)]
    page = ContributionsPage(items[:page_size])
    if len(items) > page_size:
        last = page.items[-1]
        page.next_cursor = time_cursor(last.created_at, last.id)
    return page


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
    organisation.name = " ".join(edit.name.split())
    organisation.name_key = key
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
