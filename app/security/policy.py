"""The one permission policy: a map from permission to predicates, and require()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from starlette.exceptions import HTTPException

from app.security.identity import Identity, Member
from app.security.permissions import Permission
from app.security.roles import Role

Predicate = Callable[[Identity, Any], bool]


# What the policy reads of the thing a permission is asked about. The domain models have
# these shapes (Consultation, Organisation, Contribution); this shared layer imports none.


@runtime_checkable
class ConsultationContext(Protocol):
    @property
    def slug(self) -> str: ...

    @property
    def is_published(self) -> bool:
        """Listed and readable (not a draft)."""

    @property
    def takes_contributions_now(self) -> bool:
        """Published and between its opening and closing instants (app.consultation.phases)."""


@runtime_checkable
class OrganisationContext(Protocol):
    # name_key is asked for only to tell an organisation from the other contexts (each has
    # an id): a consultation passed where an organisation is meant is refused, not misread.
    @property
    def id(self) -> int: ...

    @property
    def name_key(self) -> str: ...


@runtime_checkable
class AuthoredContext(Protocol):
    @property
    def author_id(self) -> int | None: ...


@runtime_checkable
class RequestedContext(Protocol):
    """Something made at a person's request (an export job)."""

    @property
    def requested_by_id(self) -> int | None: ...


class SignInRequired(Exception):
    """The action needs a signed-in person; the web layer redirects to sign-in."""


class TwoFactorRequired(Exception):
    """The person holds the role but has not turned two-factor on; the web layer explains
    and links to the set-up page."""


class ConsultationNotOpen(Exception):
    """The action writes to a published consultation before it opens or after it closes;
    the web layer says when it opens or when it closed."""

    def __init__(self, consultation: ConsultationContext) -> None:
        super().__init__()
        self.consultation = consultation


def signed_in(identity: Identity, _context: Any) -> bool:
    return identity.is_authenticated


def is_moderator(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.MODERATOR, Role.ADMIN)


def is_negotiator(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.NEGOTIATOR, Role.ADMIN)


def is_admin(identity: Identity, _context: Any) -> bool:
    return identity.has_role(Role.ADMIN)


def two_factor_enabled(identity: Identity, _context: Any) -> bool:
    """Privileged roles count only once the person signs in with a second factor."""
    return identity.user is not None and identity.user.totp_enabled_at is not None


def email_verified(identity: Identity, _context: Any) -> bool:
    """Contributions speak for an organisation, so the person must have proved their address."""
    return identity.user is not None and identity.user.email_verified_at is not None


def organisation_admin(identity: Identity, context: Any) -> bool:
    """Admins of the organisation in context (Membership.is_admin) manage it."""
    return identity.is_authenticated and any(m.is_admin for m in _memberships_in(identity, _organisation_of(context)))


def organisation_member(identity: Identity, context: Any) -> bool:
    return identity.is_authenticated and bool(_memberships_in(identity, _organisation_of(context)))


def not_organisation_member(identity: Identity, context: Any) -> bool:
    return not organisation_member(identity, context)


def _memberships_in(identity: Identity, organisation: OrganisationContext) -> list[Member]:
    user = identity.user
    return [] if user is None else [m for m in user.memberships if m.organisation_id == organisation.id]


def _organisation_of(context: Any) -> OrganisationContext:
    if isinstance(context, OrganisationContext):
        return context
    raise TypeError(f"expected an Organisation as context, got {type(context).__name__}")


def is_author(identity: Identity, context: Any) -> bool:
    """The signed-in person wrote the contribution in context."""
    if not isinstance(context, AuthoredContext):
        raise TypeError(f"expected a Contribution as context, got {type(context).__name__}")
    return identity.user is not None and context.author_id == identity.user.id


def requested_it(identity: Identity, context: Any) -> bool:
    """The signed-in person asked for the thing in context (an export and its files)."""
    if not isinstance(context, RequestedContext):
        raise TypeError(f"expected an export job as context, got {type(context).__name__}")
    return identity.user is not None and context.requested_by_id == identity.user.id


def consultation_published(_identity: Identity, context: Any) -> bool:
    return _consultation_of(context).is_published


def consultation_open(_identity: Identity, context: Any) -> bool:
    """Published and between its opening and closing instants, now (app.consultation.phases)."""
    return _consultation_of(context).takes_contributions_now


def _refused_for_its_phase(permission: Permission, context: Any) -> bool:
    """Every way to the permission needs the consultation open, and it is published but not
    open: whoever asks, the useful answer is when it opens or closed (not "sign in")."""
    clauses = PERMISSION_MAP[permission]
    return (
        all(consultation_open in clause for clause in clauses)
        and isinstance(context, ConsultationContext)
        and context.is_published
        and not context.takes_contributions_now
    )


def _consultation_of(context: Any) -> ConsultationContext:
    if isinstance(context, ConsultationContext):
        return context
    raise TypeError(f"expected a Consultation as context, got {type(context).__name__}")


#: Each permission is granted when ANY of its clauses holds; a clause holds when ALL of
#: its predicates do.
PERMISSION_MAP: dict[Permission, list[list[Predicate]]] = {
    Permission.READ_CONSULTATION: [[consultation_published], [is_admin, two_factor_enabled]],
    Permission.SEE_DRAFTS: [[is_admin, two_factor_enabled]],
    Permission.CONTRIBUTE: [[signed_in, email_verified, consultation_open]],
    Permission.ENDORSE: [[signed_in, email_verified, consultation_open]],
    Permission.READ_OWN_CONTRIBUTION: [[signed_in, is_author]],
    Permission.EDIT_OWN_CONTRIBUTION: [[signed_in, email_verified, is_author]],
    Permission.APPEAL: [[signed_in, is_author]],
    Permission.REPORT: [[signed_in, email_verified]],
    Permission.SEE_UNPUBLISHED: [[is_moderator, two_factor_enabled], [is_negotiator, two_factor_enabled]],
    Permission.SEE_WITHHELD_NAMES: [[is_moderator, two_factor_enabled]],
    Permission.RETAG: [[is_moderator, two_factor_enabled]],
    Permission.SEE_HIDDEN_BODY: [[is_moderator, two_factor_enabled]],
    Permission.MODERATE: [[is_moderator, two_factor_enabled]],
    Permission.PIN_HIGHLIGHT: [[is_moderator, two_factor_enabled]],
    Permission.SUMMARISE_THREAD: [[is_moderator, two_factor_enabled]],
    Permission.MERGE_THREAD: [[is_moderator, two_factor_enabled]],
    Permission.EXPORT: [[is_negotiator, two_factor_enabled]],
    Permission.READ_OWN_EXPORT: [[is_negotiator, two_factor_enabled, requested_it]],
    Permission.CURATE_INPUT: [[is_negotiator, two_factor_enabled]],
    Permission.CONSOLIDATE: [[is_negotiator, two_factor_enabled]],
    Permission.MANAGE_ROLES: [[is_admin, two_factor_enabled]],
    Permission.CONFIGURE_CONSULTATIONS: [[is_admin, two_factor_enabled]],
    Permission.READ_AUDIT_LOG: [[is_admin, two_factor_enabled]],
    Permission.MANAGE_OWN_ACCOUNT: [[signed_in]],
    Permission.EDIT_ORGANISATION: [[signed_in, organisation_admin]],
    Permission.MANAGE_MEMBERS: [[signed_in, organisation_admin]],
    Permission.VERIFY_ORGANISATION: [[is_moderator, two_factor_enabled]],
    Permission.ANSWER_CLAIM: [[is_moderator, two_factor_enabled]],
    Permission.REQUEST_TO_JOIN: [[signed_in, not_organisation_member]],
    Permission.LEAVE_ORGANISATION: [[signed_in, organisation_member]],
}


def permits(identity: Identity, permission: Permission, context: Any = None) -> bool:
    clauses = PERMISSION_MAP[permission]
    return any(all(predicate(identity, context) for predicate in clause) for clause in clauses)


def permits_but_for_two_factor(identity: Identity, permission: Permission, context: Any = None) -> bool:
    """Would a clause that asks for two-factor hold if the person had turned it on?"""
    return any(
        all(predicate(identity, context) for predicate in clause if predicate is not two_factor_enabled)
        for clause in PERMISSION_MAP[permission]
        if two_factor_enabled in clause
    )


def require(identity: Identity, permission: Permission, context: Any = None, *, hide: bool = False) -> None:
    """Stop the request unless permitted: a write to a consultation outside its open phase
    is told when it opens or closed; anonymous people are sent to sign in; holders of a role
    without two-factor are told to turn it on; others get 403, or 404 when even the
    existence of the thing is not theirs to know (hide=True)."""
    if permits(identity, permission, context):
        return
    if _refused_for_its_phase(permission, context):
        raise ConsultationNotOpen(context)
    if identity.is_authenticated and permits_but_for_two_factor(identity, permission, context):
        raise TwoFactorRequired()
    if hide:
        raise HTTPException(status_code=404)
    if not identity.is_authenticated:
        raise SignInRequired()
    raise HTTPException(status_code=403)
