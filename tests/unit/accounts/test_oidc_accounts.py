"""Rules for accounts signing in through OpenID Connect: recognise, connect, create, refuse."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.datastructures import Secret

from app.accounts.models import RecoveryCode, UserIdentity, UserSession
from app.accounts.oidc import OidcClaims, OidcError, OidcFailure, claims_of
from app.accounts.oidc_accounts import AccountRefusal, OidcAccountError, sign_in_with_oidc
from app.accounts.services import AccountError
from app.accounts.sessions import start_session
from app.organisations.directory import NewOrganisation
from app.organisations.joining import join_chosen
from app.organisations.models import JoinRequest, Membership, OrganisationType
from app.security.roles import Role
from app.settings import OidcProvider
from tests.factories import make_organisation, make_user

LABEL = "EU Login"


def claims(
    subject: str = "sub-1", email: str | None = "ana@example.org", verified: bool = True, name: str | None = "Ana Lima"
) -> OidcClaims:
    return OidcClaims(provider="eulogin", subject=subject, email=email, email_verified=verified, name=name)


async def identities(db, user_id: int) -> list[UserIdentity]:
    return list((await db.scalars(select(UserIdentity).where(UserIdentity.user_id == user_id))).all())


async def test_a_first_sign_in_with_a_verified_email_creates_an_account(db):
    result = await sign_in_with_oidc(db, claims(email="Ana@Example.org"), provider_label=LABEL)
    user = result.user
    assert result.created and result.needs_organisation
    assert (user.email, user.display_name, user.password_hash) == ("ana@example.org", "Ana Lima", None)
    assert user.email_verified_at is not None and user.is_active
    [identity] = await identities(db, user.id)
    assert (identity.provider, identity.subject, identity.email) == ("eulogin", "sub-1", "ana@example.org")
    assert identity.last_used_at is not None


async def test_without_a_name_the_address_names_the_account(db):
    result = await sign_in_with_oidc(db, claims(name="  "), provider_label=LABEL)
    assert result.user.display_name == "ana"


@pytest.mark.parametrize(("email", "verified"), [("ana@example.org", False), (None, True)])
async def test_no_account_is_created_without_a_verified_email(db, email, verified):
    with pytest.raises(OidcAccountError) as raised:
        await sign_in_with_oidc(db, claims(email=email, verified=verified), provider_label=LABEL)
    assert raised.value.refusal is AccountRefusal.EMAIL_NOT_VERIFIED and raised.value.status_code == 403
    assert "EU Login did not confirm" in raised.value.title
    assert await db.scalar(select(func.count()).select_from(UserIdentity)) == 0


async def test_an_unverified_email_does_not_connect_an_existing_account(db):
    user = await make_user(db, email="ana@example.org")
    with pytest.raises(OidcAccountError):
        await sign_in_with_oidc(db, claims(verified=False), provider_label=LABEL)
    assert await identities(db, user.id) == []


async def test_a_known_subject_signs_in_the_same_person_and_refreshes_the_identity(db):
    first = await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    again = await sign_in_with_oidc(db, claims(email="ana.new@example.org"), provider_label=LABEL)
    assert again.user.id == first.user.id and not again.created
    [identity] = await identities(db, first.user.id)
    assert identity.email == "ana.new@example.org"
    assert first.user.email == "ana@example.org"  # the account's own address is not changed by a provider


async def test_a_known_subject_signs_in_even_if_the_email_is_no_longer_verified(db):
    first = await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    again = await sign_in_with_oidc(db, claims(email="other@example.org", verified=False), provider_label=LABEL)
    assert again.user.id == first.user.id
    [identity] = await identities(db, first.user.id)
    assert identity.email == "ana@example.org"


async def test_a_verified_email_connects_the_existing_account_and_keeps_its_password(db):
    user = await make_user(db, email="ana@example.org")
    password_hash = user.password_hash
    result = await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    assert result.user.id == user.id and not result.created and not result.needs_organisation
    assert result.user.password_hash == password_hash
    assert len(await identities(db, user.id)) == 1


async def test_connecting_an_account_whose_email_was_never_proven_takes_it_from_whoever_signed_it_up(db):
    user = await make_user(db, email="ana@example.org", verified=False)
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    db.add(RecoveryCode(user_id=user.id, code_hash="x"))
    await start_session(db, user, max_age_seconds=60)
    result = await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    assert result.user.id == user.id
    assert (user.password_hash, user.totp_secret) == (None, None) and user.email_verified_at is not None
    assert await db.scalar(select(func.count()).where(UserSession.user_id == user.id)) == 0
    assert await db.scalar(select(func.count()).where(RecoveryCode.user_id == user.id)) == 0


async def test_a_disabled_account_is_refused_on_both_paths(db):
    user = await make_user(db, email="ana@example.org")
    user.is_active = False
    with pytest.raises(OidcAccountError) as by_email:
        await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    db.add(UserIdentity(user_id=user.id, provider="eulogin", subject="sub-2"))
    await db.flush()
    with pytest.raises(OidcAccountError) as by_subject:
        await sign_in_with_oidc(db, claims(subject="sub-2"), provider_label=LABEL)
    assert by_email.value.refusal is by_subject.value.refusal is AccountRefusal.DISABLED
    assert len(await identities(db, user.id)) == 1


async def test_staff_without_an_organisation_are_not_asked_for_one(db):
    await make_user(db, email="ana@example.org", role=Role.MODERATOR, with_organisation=False)
    result = await sign_in_with_oidc(db, claims(), provider_label=LABEL)
    assert not result.needs_organisation


async def test_choosing_an_organisation_asks_to_join_and_registering_a_new_one_joins_it(db):
    user = await make_user(db, with_organisation=False)
    listed = await make_organisation(db, name="Listed NGO")
    chosen = await join_chosen(db, user, organisation_id=listed.id, new_organisation=None)
    assert chosen is not None and (chosen.organisation.id, chosen.member) == (listed.id, False)
    new = NewOrganisation("Forum  des Sénégalais", OrganisationType.DIASPORA, "FR")
    registered = await join_chosen(db, user, organisation_id=None, new_organisation=new)
    again = await join_chosen(db, user, organisation_id=None, new_organisation=new)
    assert registered is not None and again is not None
    assert again.organisation.id == registered.organisation.id
    assert registered.organisation.name == "Forum des Sénégalais"
    assert registered.member and again.member
    memberships = (await db.scalars(select(Membership).where(Membership.user_id == user.id))).all()
    assert [(m.organisation_id, m.is_admin) for m in memberships] == [(registered.organisation.id, True)]
    assert await db.scalar(select(func.count()).where(JoinRequest.user_id == user.id)) == 1
    assert await join_chosen(db, user, organisation_id=None, new_organisation=None) is None


async def test_an_unknown_organisation_is_refused(db):
    user = await make_user(db, with_organisation=False)
    with pytest.raises(AccountError) as raised:
        await join_chosen(db, user, organisation_id=999_999, new_organisation=None)
    assert raised.value.field == "organisation_id"


async def test_a_person_waiting_for_an_answer_is_not_asked_for_an_organisation_again(db):
    user = await make_user(db, email="ana@example.org", with_organisation=False)
    await join_chosen(db, user, organisation_id=(await make_organisation(db)).id, new_organisation=None)
    db.add(UserIdentity(user_id=user.id, provider="eulogin", subject="ana"))
    await db.flush()
    assert not (await sign_in_with_oidc(db, claims(), provider_label=LABEL)).needs_organisation


PROVIDER = OidcProvider("eulogin", "https://op.example", "client", Secret("secret"), LABEL)


def test_userinfo_must_be_about_the_person_in_the_id_token():
    with pytest.raises(OidcError) as raised:
        claims_of(PROVIDER, {"sub": "a"}, {"sub": "b", "email": "b@example.org", "email_verified": True})
    assert raised.value.failure is OidcFailure.UNPROVEN and raised.value.status_code == 400


@pytest.mark.parametrize(
    ("value", "verified"), [(True, True), ("true", True), (False, False), ("yes", False), (None, False)]
)
def test_only_a_clear_yes_counts_as_a_verified_email(value, verified):
    userinfo = {"sub": "a", "email": "a@example.org", "email_verified": value, "name": "A"}
    assert claims_of(PROVIDER, {"sub": "a"}, userinfo).email_verified is verified
