"""The one permission policy: a map from permission to predicates, and require()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException

from app.accounts.models import Role
from app.consultation.models import Consultation, ConsultationStatus
from app.security.identity import Identity
from app.security.permissions import Permission

Predicate = Callable[[Identity, Any], bool]


class SignInRequired(Exception):
    """The action needs a signed-in person; the web layer redirects to sign-in."""


def signed_in(identity: Identity, _context: Any) -> bool:
    return identity.is_authenticated


def is_moderator(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.MODERATOR, Role.ADMIN)


def is_negotiator(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.NEGOTIATOR, Role.ADMIN)


def is_admin(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.ADMIN)


def consultation_published(_identity: Identity, context: Any) -> bool:
    return _consultation_of(context).status is not ConsultationStatus.DRAFT


def consultation_open(_identity: Identity, context: Any) -> bool:
    return _consultation_of(context).status is ConsultationStatus.OPEN


def _consultation_of(context: Any) -> Consultation:
    if isinstance(context, Consultation):
        return context
    raise TypeError(f"expected a Consultation as context, got {type(context).__name__}")


#: Each permission is granted when ANY of its clauses holds; a clause holds when ALL of
#: its predicates do.
PERMISSION_MAP: dict[Permission, list[list[Predicate]]] = {
    Permission.READ_CONSULTATION: [[consultation_published], [is_admin]],
    Permission.SEE_DRAFTS: [[is_admin]],
    Permission.CONTRIBUTE: [[signed_in, consultation_open]],
    Permission.SEE_HIDDEN_BODY: [[is_moderator]],
    Permission.MODERATE: [[is_moderator]],
    Permission.EXPORT: [[is_negotiator]],
}


def permits(identity: Identity, permission: Permission, context: Any = None) -> bool:
    clauses = PERMISSION_MAP[permission]
    return any(all(predicate(identity, context) for predicate in clause) for clause in clauses)


def require(identity: Identity, permission: Permission, context: Any = None, *, hide: bool = False) -> None:
    """Stop the request unless permitted: anonymous people are sent to sign in; others get
    403, or 404 when even the existence of the thing is not theirs to know (hide=True)."""
    if permits(identity, permission, context):
        return
    if hide:
        raise HTTPException(status_code=404)
    if not identity.is_authenticated:
        raise SignInRequired()
    raise HTTPException(status_code=403)
