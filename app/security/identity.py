"""The person behind a request, as the policy sees them."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Role, User


@dataclass(frozen=True)
class Identity:
    user: User | None

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
