"""The permission policy as data: each role against each permission."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.exceptions import HTTPException

from app.accounts.models import User, UserRole
from app.consultation.models import Consultation, ConsultationStatus
from app.discussion.models import Contribution
from app.jobs.models import Job
from app.organisations.models import Membership, Organisation, OrganisationType
from app.security.identity import ANONYMOUS, Identity
from app.security.permissions import Permission
from app.security.policy import (
    PERMISSION_MAP,
    ConsultationNotOpen,
    SignInRequired,
    TwoFactorRequired,
    permits,
    require,
)
from app.security.roles import Role


def identity(role: Role | None, active: bool = True, two_factor: bool = True) -> Identity:
    if role is None:
        return ANONYMOUS
    grants = [] if role is Role.PARTICIPANT else [UserRole(role=role)]
    user = User(id=1, email="x@example.org", display_name="X", role_grants=grants, is_active=active)
    user.email_verified_at = datetime.now(UTC)
    user.totp_enabled_at = datetime.now(UTC) if two_factor else None
    return Identity(user)


HOUR = timedelta(hours=1)
OPEN = Consultation(slug="open", status=ConsultationStatus.PUBLISHED)
CLOSED = Consultation(slug="closed", status=ConsultationStatus.PUBLISHED, closes_at=datetime.now(UTC) - HOUR)
UPCOMING = Consultation(slug="upcoming", status=ConsultationStatus.PUBLISHED, opens_at=datetime.now(UTC) + HOUR)
DRAFT = Consultation(slug="draft", status=ConsultationStatus.DRAFT)
ORGANISATION = Organisation(id=99, name="Forum", type=OrganisationType.DIASPORA, country="FR")
SOMEONE_ELSES = Contribution(id=5, author_id=2)
SOMEONE_ELSES_EXPORT = Job(id=7, kind="export", requested_by_id=2)
OWN_EXPORT = Job(id=8, kind="export", requested_by_id=1)  # identity()'s user id

ROLES = [None, Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN]
EXPECTED = {  # permission, context -> roles that hold it
    (Permission.READ_CONSULTATION, OPEN): set(ROLES),
    (Permission.READ_CONSULTATION, DRAFT): {Role.ADMIN},
    (Permission.SEE_DRAFTS, None): {Role.ADMIN},
    (Permission.CONTRIBUTE, OPEN): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.CONTRIBUTE, CLOSED): set(),
    (Permission.CONTRIBUTE, UPCOMING): set(),
    (Permission.CONTRIBUTE, DRAFT): set(),
    (Permission.ENDORSE, OPEN): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.ENDORSE, CLOSED): set(),
    (Permission.ENDORSE, UPCOMING): set(),
    # No role edits someone else's contribution (authors: test_authors_edit_their_own).
    (Permission.READ_OWN_CONTRIBUTION, SOMEONE_ELSES): set(),
    (Permission.EDIT_OWN_CONTRIBUTION, SOMEONE_ELSES): set(),
    (Permission.APPEAL, SOMEONE_ELSES): set(),
    (Permission.REPORT, None): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.SEE_UNPUBLISHED, None): {Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.SEE_WITHHELD_NAMES, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.RETAG, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.SEE_HIDDEN_BODY, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.MODERATE, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.PIN_HIGHLIGHT, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.SUMMARISE_THREAD, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.MERGE_THREAD, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.EXPORT, OPEN): {Role.NEGOTIATOR, Role.ADMIN},
    (Permission.EXPORT, CLOSED): {Role.NEGOTIATOR, Role.ADMIN},
    # Nobody, whatever their role, follows or downloads an export someone else asked for.
    (Permission.READ_OWN_EXPORT, SOMEONE_ELSES_EXPORT): set(),
    (Permission.READ_OWN_EXPORT, OWN_EXPORT): {Role.NEGOTIATOR, Role.ADMIN},
    (Permission.CURATE_INPUT, OPEN): {Role.NEGOTIATOR, Role.ADMIN},
    (Permission.CURATE_INPUT, CLOSED): {Role.NEGOTIATOR, Role.ADMIN},
    (Permission.CONSOLIDATE, OPEN): {Role.NEGOTIATOR, Role.ADMIN},
    (Permission.MANAGE_ROLES, None): {Role.ADMIN},
    (Permission.CONFIGURE_CONSULTATIONS, None): {Role.ADMIN},
    (Permission.READ_AUDIT_LOG, None): {Role.ADMIN},
    (Permission.MANAGE_OWN_ACCOUNT, None): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    # Site roles give nothing inside an organisation: only its own admins manage it.
    (Permission.EDIT_ORGANISATION, ORGANISATION): set(),
    (Permission.MANAGE_MEMBERS, ORGANISATION): set(),
    (Permission.VERIFY_ORGANISATION, ORGANISATION): {Role.MODERATOR, Role.ADMIN},
    (Permission.ANSWER_CLAIM, None): {Role.MODERATOR, Role.ADMIN},
    (Permission.REQUEST_TO_JOIN, ORGANISATION): {Role.PARTICIPANT, Role.MODERATOR, Role.NEGOTIATOR, Role.ADMIN},
    (Permission.LEAVE_ORGANISATION, ORGANISATION): set(),
}
#: What a role gives only once its holder has turned two-factor on.
NEEDS_TWO_FACTOR = [
    (Permission.READ_CONSULTATION, DRAFT),
    (Permission.SEE_DRAFTS, None),
    (Permission.SEE_HIDDEN_BODY, None),
    (Permission.SEE_UNPUBLISHED, None),
    (Permission.SEE_WITHHELD_NAMES, None),
    (Permission.RETAG, None),
    (Permission.MODERATE, None),
    (Permission.PIN_HIGHLIGHT, None),
    (Permission.SUMMARISE_THREAD, None),
    (Permission.MERGE_THREAD, None),
    (Permission.EXPORT, OPEN),
    (Permission.READ_OWN_EXPORT, OWN_EXPORT),
    (Permission.CURATE_INPUT, OPEN),
    (Permission.CONSOLIDATE, OPEN),
    (Permission.MANAGE_ROLES, None),
    (Permission.CONFIGURE_CONSULTATIONS, None),
    (Permission.READ_AUDIT_LOG, None),
    (Permission.VERIFY_ORGANISATION, ORGANISATION),
    (Permission.ANSWER_CLAIM, None),
]


def param_id(value: object) -> str:
    """The same in every process, never a repr with an address: pytest-xdist's workers must
    collect the same test ids."""
    if isinstance(value, Contribution):
        return f"contribution-{value.id}"
    if isinstance(value, Job):
        return f"export-job-{value.id}"
    return str(getattr(value, "name", None) or getattr(value, "slug", None) or value)


@pytest.mark.parametrize(("permission", "context"), list(EXPECTED), ids=param_id)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_permission_matrix(permission, context, role):
    assert permits(identity(role), permission, context) == (role in EXPECTED[(permission, context)])


def test_every_permission_is_mapped_and_in_the_matrix():
    assert set(PERMISSION_MAP) == set(Permission)
    assert {permission for permission, _ in EXPECTED} == set(Permission)


def test_authors_edit_their_own_contributions_only():
    author = identity(Role.PARTICIPANT)  # user id 1
    assert permits(author, Permission.EDIT_OWN_CONTRIBUTION, Contribution(id=6, author_id=1))
    assert not permits(author, Permission.EDIT_OWN_CONTRIBUTION, SOMEONE_ELSES)
    assert not permits(ANONYMOUS, Permission.EDIT_OWN_CONTRIBUTION, SOMEONE_ELSES)


def test_authors_read_their_own_contributions_even_before_confirming_an_email_change():
    author = identity(Role.PARTICIPANT)  # user id 1
    assert author.user is not None
    author.user.email_verified_at = None
    assert permits(author, Permission.READ_OWN_CONTRIBUTION, Contribution(id=6, author_id=1))
    assert not permits(author, Permission.EDIT_OWN_CONTRIBUTION, Contribution(id=6, author_id=1))
    assert not permits(author, Permission.READ_OWN_CONTRIBUTION, SOMEONE_ELSES)


def test_an_export_is_read_only_by_who_asked_and_never_by_a_type_it_does_not_know():
    with pytest.raises(HTTPException) as hidden:
        require(identity(Role.NEGOTIATOR), Permission.READ_OWN_EXPORT, SOMEONE_ELSES_EXPORT, hide=True)
    assert hidden.value.status_code == 404  # another negotiator learns nothing of it
    with pytest.raises(TypeError):
        permits(identity(Role.NEGOTIATOR), Permission.READ_OWN_EXPORT, OPEN)


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


@pytest.mark.parametrize("consultation", [CLOSED, UPCOMING], ids=["closed", "upcoming"])
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_writes_outside_the_open_phase_say_when_whoever_asks(role, consultation):
    for permission in (Permission.CONTRIBUTE, Permission.ENDORSE):
        with pytest.raises(ConsultationNotOpen) as refused:
            require(identity(role), permission, consultation)
        assert refused.value.consultation is consultation


def test_a_draft_is_refused_plainly_and_reading_is_not_about_phases():
    with pytest.raises(HTTPException):
        require(identity(Role.PARTICIPANT), Permission.CONTRIBUTE, DRAFT)
    require(ANONYMOUS, Permission.READ_CONSULTATION, CLOSED)
    require(ANONYMOUS, Permission.READ_CONSULTATION, UPCOMING)


@pytest.mark.parametrize(("permission", "context"), NEEDS_TWO_FACTOR, ids=param_id)
def test_privileged_roles_need_two_factor(permission, context):
    without = identity(Role.ADMIN, two_factor=False)
    assert not permits(without, permission, context)
    with pytest.raises(TwoFactorRequired):
        require(without, permission, context, hide=True)
    with pytest.raises(HTTPException):  # a participant is refused as before, not sent to set-up
        require(identity(Role.PARTICIPANT, two_factor=False), permission, context)


def test_banner_is_for_privileged_people_without_two_factor():
    assert identity(Role.MODERATOR, two_factor=False).needs_two_factor
    assert not identity(Role.MODERATOR).needs_two_factor
    assert not identity(Role.PARTICIPANT, two_factor=False).needs_two_factor
    assert not ANONYMOUS.needs_two_factor


def member_of(organisation: Organisation, *, admin: bool) -> Identity:
    person = identity(Role.PARTICIPANT)
    assert person.user is not None
    person.user.memberships = [Membership(organisation_id=organisation.id, is_admin=admin)]
    return person


def test_organisation_admins_manage_their_organisation_only():
    admin = member_of(ORGANISATION, admin=True)
    other = Organisation(id=100, name="Other", type=OrganisationType.OTHER, country="BE")
    for permission in (Permission.EDIT_ORGANISATION, Permission.MANAGE_MEMBERS, Permission.LEAVE_ORGANISATION):
        assert permits(admin, permission, ORGANISATION)
        assert not permits(admin, permission, other)
    assert not permits(admin, Permission.REQUEST_TO_JOIN, ORGANISATION)
    assert permits(admin, Permission.REQUEST_TO_JOIN, other)


def test_members_may_leave_but_not_manage():
    member = member_of(ORGANISATION, admin=False)
    assert permits(member, Permission.LEAVE_ORGANISATION, ORGANISATION)
    assert not permits(member, Permission.EDIT_ORGANISATION, ORGANISATION)
    assert not permits(member, Permission.MANAGE_MEMBERS, ORGANISATION)
    assert not permits(member, Permission.REQUEST_TO_JOIN, ORGANISATION)
