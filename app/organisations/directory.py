"""Finding and registering organisations: unique by name (whatever its case and spacing) and
country; placing a person in one directly (the operator's `users create`, and tests)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, select
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


def organisation_search_key(name: str) -> str:
    """What a search compares a name with: its key without accents or other marks, so
    "senegalais" finds "Sénégalais" (migration c7e1a9d3f5b2 has a frozen copy of this)."""
    decomposed = unicodedata.normalize("NFKD", organisation_name_key(name))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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
    organisation = Organisation(
        name=name,
        name_key=organisation_name_key(name),
        search_key=organisation_search_key(name),
        type=new.type,
        country=new.country,
    )
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


#: Organisations a search shows at most: enough to find one, few enough to read through.
SEARCH_RESULTS = 20
#: Only this much of a query is read (a name is at most 200 characters; nobody types more
#: than a few words of it to find it).
SEARCH_QUERY_MAX_CHARS = 100
#: Words of a query matched; further words are ignored.
SEARCH_MAX_WORDS = 5


def search_words(query: str) -> list[str]:
    """The words an organisation's name must contain, compared as search keys are (case and
    accents aside): control and format characters dropped, at most SEARCH_MAX_WORDS."""
    printable = "".join(char for char in query[:SEARCH_QUERY_MAX_CHARS] if unicodedata.category(char)[0] != "C")
    return organisation_search_key(printable).split()[:SEARCH_MAX_WORDS]


@dataclass(frozen=True)
class SearchResult:
    organisations: list[Organisation]
    #: More organisations match than are shown: the person should type more of the name.
    more: bool


async def search_organisations(db: AsyncSession, query: str, limit: int = SEARCH_RESULTS) -> SearchResult:
    """Organisations whose name contains every word of the query (whatever their case and
    accents), those whose name starts with the first word first, then by name. Wildcards in
    the query are matched literally;
    on PostgreSQL a trigram index on the name keeps this fast with many organisations."""
    words = search_words(query)
    if not words:
        return SearchResult([], more=False)
    starts_first = case((Organisation.search_key.startswith(words[0], autoescape=True), 0), else_=1)
    found = await db.scalars(
        select(Organisation)
        .where(*(Organisation.search_key.contains(word, autoescape=True) for word in words))
        .order_by(starts_first, Organisation.name_key, Organisation.country, Organisation.id)
        .limit(limit + 1)
    )
    organisations = list(found)
    return SearchResult(organisations[:limit], more=len(organisations) > limit)
