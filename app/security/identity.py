"""The person behind a request, as the policy sees them. The policy knows a person only by
the shape described here (app.accounts.models.User has it), so this shared layer imports no
domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.security.roles import Role


class Member(Protocol):
    """One organisation a person speaks for."""

    @property
    def organisation_id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


class Person(Protocol):
    """What the policy reads of a signed-in person."""

    @property
    def id(self) -> int: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def roles(self) -> frozenset[Role]: ...

    @property
    def email_verified_at(self) -> datetime | None: ...

    @property
    def totp_enabled_at(self) -> datetime | None: ...

    @property
    def memberships(self) -> Sequence[Member]: ...


@dataclass(frozen=True)
class Identity:
    user: Person | None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_active

    def has_role(self, *roles: Role) -> bool:
        return self.is_authenticated and self.user is not None and not self.user.roles.isdisjoint(roles)

    @property
    def needs_two_factor(self) -> bool:
        """Holds a privileged role but has not turned two-factor on (the site says so)."""
        return (
            self.has_role(Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN)
            and self.user is not None
            and self.user.totp_enabled_at is None
        )


ANONYMOUS = Identity(user=None)
