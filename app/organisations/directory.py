"""Finding and registering organisations: unique by name (whatever its case and spacing) and
country; placing a person in one directly (the operator's `users create`, and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.services import AccountError
from app.i18n import _
from app.organisations.models import Membership, Organisation, OrganisationType


def tidy_name(name: str) -> str:
    """An organisation's name as stored and shown: runs of spaces and line breaks made one space."""
    return " ".join(name.split())


def organisation_name_key(name: str) -> str:
    """What makes two names the same organisation: tidied, and compared without case."""
    return tidy_name(name).casefold()


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    type: OrganisationType
    country: str


async def find_organisation(db: AsyncSession, new: NewOrganisation) -> Organisation | None:
    """The organisation already registered under this name (whatever its case and spacing)
    in this country, if any: organisations are unique by name and country."""
    return await db.scalar(
        select(Organisation).where(
            Organisation.name_key == organisation_name_key(new.name), Organisation.country == new.country
        )
    )


async def create_organisation(db: AsyncSession, new: NewOrganisation) -> Organisation:
    name = tidy_name(new.name)
    organisation = Organisation(name=name, name_key=organisation_name_key(name), type=new.type, country=new.country)
    db.add(organisation)
    await db.flush()
    return organisation


async def find_or_create_organisation(db: AsyncSession, new: NewOrganisation) -> Organisation:
    """For the operator's `users create` (and tests): the existing one, or a new one."""
    return await find_organisation(db, new) or await create_organisation(db, new)


async def listed_organisation(db: AsyncSession, organisation_id: int) -> Organisation:
    """The organisation a person chose from the list; an id not on the list is refused."""
    organisation = await db.get(Organisation, organisation_id)
    if organisation is None:
        raise AccountError("organisation_id", _("Choose your organisation from the list."))
    return organisation


async def place_member(db: AsyncSession, user: User, organisation: Organisation, *, admin: bool = False) -> Membership:
    """Make the person a member at once, without a request to join: only for the operator's
    command line and tests (people on the site ask to join: app.organisations.joining)."""
    membership = Membership(user=user, organisation=organisation, is_admin=admin)
    db.add(membership)
    await db.flush()
    return membership
