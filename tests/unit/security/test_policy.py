"""The permission policy as data: each role against each permission."""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException

from app.accounts.models import Role, User, UserRole
from app.consultation.models import Consultation, ConsultationStatus
from app.security.identity import ANONYMOUS, Identity
from app.security.permissions import Permission
from app.security.policy import PERMISSION_MAP, SignInRequired, permits, require


def identity(role: Role | None, active: bool = True) -> Identity:
    if role is None:
        return ANONYMOUS
    grants = [] if role is Role.PARTICIPANT else [UserRole(role=role)]
    return Identity(User(id=1, email="x@example.org", display_name="X", role_grants=grants, is_active=active))


OPEN = Consultation(status=ConsultationStatus.OPEN)
CLOSED = Consultation(status=ConsultationStatus.CLOSED)
DRAFT = Consultation(status=ConsultationStatus.DRAFT)

ROLES = [None, Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN]
EXPECTED = {  # permission, context -> roles that hold it
    (Permission.READ_CONSULTATION, OPEN): set(ROLES),
    (Permission.READ_CONSULTATION, DRAFT): {Role.ADMIN},
    (Permission.SEE_DRAFTS, None): {Role.ADMIN},
    (Permission.CONTRIBUTE, OPEN): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.CONTRIBUTE, CLOSED): set(),
    (Permission.SEE_HIDDEN_BODY, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.MODERATE, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.EXPORT, OPEN): {Role.NEGOTIATOR, Role.ADMIN},
}


@pytest.mark.parametrize(("permission", "context"), list(EXPECTED), ids=lambda v: getattr(v, "name", str(v)))
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_permission_matrix(permission, context, role):
    assert permits(identity(role), permission, context) == (role in EXPECTED[(permission, context)])


def test_every_permission_is_mapped_and_in_the_matrix():
    assert set(PERMISSION_MAP) == set(Permission)
    assert {permission for permission, _ in EXPECTED} == set(Permission)


def test_disabled_account_holds_nothing():
    for permission, context in EXPECTED:
        if permission is not Permission.READ_CONSULTATION:
            assert not permits(identity(Role.ADMIN, active=False), permission, context)


def test_require_sends_anonymous_to_sign_in_and_refuses_others():
    with pytest.raises(SignInRequired):
        require(ANONYMOUS, Permission.MODERATE)
    with pytest.raises(HTTPException) as refused:
        require(identity(Role.PARTICIPANT), Permission.MODERATE)
    assert refused.value.status_code == 403
    with pytest.raises(HTTPException) as hidden:
        require(identity(Role.PARTICIPANT), Permission.READ_CONSULTATION, DRAFT, hide=True)
    assert hidden.value.status_code == 404
