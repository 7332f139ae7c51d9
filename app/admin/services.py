"""Finding people and changing their roles. Every real change is audited with the
admin's optional reason; asking for what is already so changes and records nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.models import User, UserRole
from app.audit.services import ROLE_GRANT, ROLE_REVOKE, record
from app.i18n import _
from app.security.roles import Role

#: Roles an admin can give; everyone is a participant anyway.
GRANTABLE_ROLES = (Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN)
MAX_REASON_CHARS = 500
PEOPLE_PAGE_SIZE = 50


class AdminChangeError(Exception):
    """An administrator's change refused, with the field to show the message next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PeoplePage:
    people: list[User]
    next_after: str | None  #: keyset cursor (the last email shown), None on the last page


async def find_people(
    db: AsyncSession, query: str = "", *, after: str | None = None, page_size: int = PEOPLE_PAGE_SIZE
) -> PeoplePage:
    """People whose email or name contains `query` (case-insensitive), by email, keyset-paged."""
    statement = select(User).options(selectinload(User.role_grants)).order_by(User.email).limit(page_size + 1)
    if query.strip():
        pattern = f"%{_escape_like(query.strip().lower())}%"
        statement = statement.where(
            or_(User.email.like(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"))
        )
    if after:
        statement = statement.where(User.email > after)
    people = list((await db.scalars(statement)).all())
    next_after = people[page_size - 1].email if len(people) > page_size else None
    return PeoplePage(people=people[:page_size], next_after=next_after)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def person_with_roles(db: AsyncSession, user_id: int) -> User | None:
    return await db.scalar(select(User).options(selectinload(User.role_grants)).where(User.id == user_id))


def grantable_role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role not in GRANTABLE_ROLES:
        raise AdminChangeError("role", _("Choose moderator, negotiator or administrator."))
    assert role is not None
    return role


def clean_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON_CHARS:
        raise AdminChangeError("reason", _("Keep the reason under %(n)s characters.", n=MAX_REASON_CHARS))
    return reason


async def grant_role(
    db: AsyncSession, *, admin: User, person: User, role: Role, reason: str = "", address: str | None = None
) -> bool:
    """Give `person` the role; False (nothing recorded) when they already hold it."""
    reason = clean_reason(reason)
    if role not in GRANTABLE_ROLES:
        raise AdminChangeError("role", _("Choose moderator, negotiator or administrator."))
    if role in person.roles:
        return False
    person.role_grants.append(UserRole(role=role))
    record(db, ROLE_GRANT, actor=admin, subject_user=person, address=address, details=_details(role, reason))
    await db.flush()
    return True


async def revoke_role(
    db: AsyncSession, *, admin: User, person: User, role: Role, reason: str = "", address: str | None = None
) -> bool:
    """Take the role away; an admin cannot drop their own admin role, so the site always
    keeps the admin who is acting. False when the person did not hold it."""
    reason = clean_reason(reason)
    if role is Role.ADMIN and person.id == admin.id:
        raise AdminChangeError("role", _("You cannot take away your own administrator role."))
    if role not in GRANTABLE_ROLES or role not in person.roles:
        return False
    grant = next(grant for grant in person.role_grants if grant.role is role)
    person.role_grants.remove(grant)  # delete-orphan: the flush deletes the row
    record(db, ROLE_REVOKE, actor=admin, subject_user=person, address=address, details=_details(role, reason))
    await db.flush()
    return True


def _details(role: Role, reason: str) -> dict[str, str]:
    return {"role": role.value, "reason": reason} if reason else {"role": role.value}
