"""Deleting an account: what is erased, what stays, and when it is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import (
    AccountToken,
    RecoveryCode,
    SignInFailure,
    TokenPurpose,
    User,
    UserIdentity,
    UserRole,
    UserSession,
)
from app.accounts.sessions import start_session
from app.audit.models import AuditEvent
from app.audit.services import PRIVACY_ERASE
from app.db import utcnow
from app.discussion.models import ContributionRevision, ContributionStatus
from app.discussion.publication import PUBLIC
from app.discussion.tallies import tallies
from app.discussion.thread_read import key_message_threads
from app.export.json_export import export_data
from app.fragments import CLEARED_KEY, RenderedFragment, store_fragments
from app.mail.models import OutgoingMail
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, set_visibility
from app.organisations.models import Invitation, JoinRequest, Membership
from app.privacy.erasure import (
    ERASED_NAME,
    ErasureRefused,
    PersonalContributions,
    erase_account,
    erased_email,
    organisations_needing_handover,
)
from app.security.roles import Role
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user


async def _count(db, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    return int(await db.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


async def _person_with_everything(db):  # type: ignore[no-untyped-def]
    user = await make_user(db, name="Aminata Diallo", email="aminata@example.org")
    await start_session(db, user, max_age_seconds=3600)
    now = utcnow()
    db.add_all(
        [
            UserIdentity(user_id=user.id, provider="eulogin", subject="sub-1", email=user.email),
            RecoveryCode(user_id=user.id, code_hash="$argon2id$recovery"),
            AccountToken(
                user_id=user.id,
                purpose=TokenPurpose.VERIFY_EMAIL,
                token_hash="a" * 64,
                email=user.email,
                expires_at=now + timedelta(hours=1),
            ),
            SignInFailure(account_key=user.email, address="192.0.2.1"),
            SignInFailure(account_key=f"totp:{user.id}", address="192.0.2.1"),
            OutgoingMail(recipient=user.email, subject="Welcome", body_text="Hello Aminata"),
            UserRole(user_id=user.id, role=Role.MODERATOR),
        ]
    )
    other_org = await make_organisation(db)
    db.add(JoinRequest(organisation_id=other_org.id, user_id=user.id, message="Please let me in, Aminata"))
    db.add(
        Invitation(
            organisation_id=other_org.id, email=user.email, token_hash="b" * 64, expires_at=now + timedelta(days=1)
        )
    )
    await db.flush()
    return user


async def test_personal_data_is_erased_and_personal_rows_deleted(db):
    user = await _person_with_everything(db)
    old_email = user.email

    await erase_account(db, user, contributions=PersonalContributions.KEEP)

    await db.refresh(user)
    assert user.display_name == ERASED_NAME
    assert user.email == erased_email(user.id) == f"erased-{user.id}@invalid"
    assert user.password_hash is None and user.totp_secret is None and user.totp_enabled_at is None
    assert user.email_verified_at is None and not user.is_active and user.erased_at is not None
    for model in (UserSession, UserIdentity, RecoveryCode, AccountToken, Membership, UserRole, JoinRequest):
        assert await _count(db, model, model.user_id == user.id) == 0, model
    assert await _count(db, SignInFailure, SignInFailure.account_key.in_([old_email, f"totp:{user.id}"])) == 0
    assert await _count(db, OutgoingMail, OutgoingMail.recipient == old_email) == 0
    assert await _count(db, Invitation, Invitation.email == old_email) == 0


async def test_erasure_is_audited_without_personal_data(db):
    user = await _person_with_everything(db)
    old_email = user.email

    await erase_account(db, user, contributions=PersonalContributions.REMOVE)

    event = await db.scalar(select(AuditEvent).where(AuditEvent.tag == PRIVACY_ERASE))
    assert event is not None
    assert event.actor_id is None and event.subject_user_id == user.id
    assert event.details == {"contributions": "remove"}
    assert old_email not in str(event.details) and "Aminata" not in str(event.details)


async def test_two_erased_accounts_get_distinct_addresses(db):
    first, second = await make_user(db), await make_user(db)
    await erase_account(db, first, contributions=PersonalContributions.KEEP)
    await erase_account(db, second, contributions=PersonalContributions.KEEP)
    await db.flush()
    assert first.email != second.email


async def test_remove_withdraws_personal_contributions_and_keeps_replies(db, consultation):
    author = await make_user(db, with_organisation=False, name="Aminata Diallo")
    replier = await make_user(db)
    mine = await make_position(db, consultation, author=author, ref="RT1-KM1", body="My own view.")
    reply = await make_reply(db, author=replier, parent=mine, body="An answer that stays.")

    await erase_account(db, author, contributions=PersonalContributions.REMOVE)

    await db.refresh(mine)
    await db.refresh(reply)
    assert mine.status is ContributionStatus.WITHDRAWN
    assert mine.body_source == "" and mine.body_html == ""
    assert reply.status is ContributionStatus.VISIBLE and reply.body_source == "An answer that stays."
    counts = await tallies(db, [key_message(consultation, "RT1-KM1").id])
    assert counts[key_message(consultation, "RT1-KM1").id].total == 0


async def test_remove_also_erases_proposed_wording_quotes_and_earlier_versions(db, consultation):
    author = await make_user(db, with_organisation=False)
    mine = await make_position(
        db,
        consultation,
        author=author,
        ref="RT1-KM1",
        position="support_with_amendments",
        amendment_text="My own wording.",
        quote_text="motoren voor ontwikkeling",
    )
    db.add(ContributionRevision(contribution_id=mine.id, body_source="First draft.", body_html="", written_at=utcnow()))
    await db.flush()

    await erase_account(db, author, contributions=PersonalContributions.REMOVE)

    await db.refresh(mine)
    assert (mine.amendment_text, mine.quote_text, mine.quote_start) == (None, None, None)
    revisions = await db.scalar(
        select(func.count()).select_from(ContributionRevision).where(ContributionRevision.contribution_id == mine.id)
    )
    assert revisions == 0


async def test_keep_leaves_personal_contributions_as_former_participant(db, consultation):
    author = await make_user(db, with_organisation=False, name="Aminata Diallo")
    mine = await make_position(db, consultation, author=author, ref="RT1-KM1", body="My own view.")

    await erase_account(db, author, contributions=PersonalContributions.KEEP)

    await db.refresh(mine)
    assert mine.status is ContributionStatus.VISIBLE and mine.body_source == "My own view."
    page = await key_message_threads(
        db, key_message(consultation, "RT1-KM1").id, cursor=None, page_size=20, audience=PUBLIC
    )
    [view] = [node.contribution for node in page.nodes if node.contribution.id == mine.id]
    assert view.author.erased and view.author.display_name == ERASED_NAME


async def test_organisation_contributions_stay_with_the_organisation(db, consultation):
    organisation = await make_organisation(db, name="Forum des Sénégalais")
    author = await make_user(db, organisation=organisation, name="Aminata Diallo")
    await make_user(db, organisation=organisation)  # the organisation goes on
    spoken = await make_position(db, consultation, author=author, ref="RT1-KM2", body="Our organisation's view.")
    spoken.organisation_id = organisation.id
    await db.flush()

    await erase_account(db, author, contributions=PersonalContributions.REMOVE)

    await db.refresh(spoken)
    assert spoken.status is ContributionStatus.VISIBLE and spoken.organisation_id == organisation.id
    export = await export_data(db, consultation)
    records = [
        c for r in export["roundtables"] for m in r["key_messages"] for c in m["contributions"] if c["id"] == spoken.id
    ]
    assert records[0]["author"] == ERASED_NAME and records[0]["organisation"]["name"] == "Forum des Sénégalais"


async def test_withdrawn_contributions_lose_their_body_in_exports(db, consultation):
    author = await make_user(db, with_organisation=False)
    mine = await make_position(db, consultation, author=author, ref="RT1-KM3", body="Text to withdraw.")

    await erase_account(db, author, contributions=PersonalContributions.REMOVE)

    export = await export_data(db, consultation)
    [message] = [m for r in export["roundtables"] for m in r["key_messages"] if m["ref"] == "RT1-KM3"]
    [record] = [c for c in message["contributions"] if c["id"] == mine.id]
    assert record["status"] == "withdrawn" and record["body"] is None and record["moderation_reason"] is None
    assert message["counts"]["total"] == 0


async def test_rendered_fragments_are_cleared(db):
    user = await make_user(db)
    await store_fragments(db, {"km:1:en:anyone": ("v1", "<li>Old name</li>")})

    await erase_account(db, user, contributions=PersonalContributions.KEEP)

    # Only the note of when they were cleared is left (pages' validators read it).
    assert list(await db.scalars(select(RenderedFragment.key))) == [CLEARED_KEY]


async def test_the_last_admin_of_an_organisation_with_members_is_refused(db):
    organisation = await make_organisation(db, name="Diaspora Forum")
    admin = await make_user(db, organisation=organisation, name="Aminata Diallo")
    await make_user(db, organisation=organisation)
    await _make_admin(db, admin)

    assert [o.name for o in await organisations_needing_handover(db, admin)] == ["Diaspora Forum"]
    with pytest.raises(ErasureRefused, match="Diaspora Forum"):
        await erase_account(db, admin, contributions=PersonalContributions.KEEP)
    assert (await db.get(User, admin.id)).erased_at is None  # type: ignore[union-attr]


async def test_an_admin_may_leave_when_another_admin_remains_or_nobody_else_is_a_member(db):
    shared = await make_organisation(db)
    alone = await make_organisation(db)
    admin = await make_user(db, organisation=shared)
    other_admin = await make_user(db, organisation=shared)
    db.add(Membership(user_id=admin.id, organisation_id=alone.id, is_admin=True))
    await _make_admin(db, admin)
    await _make_admin(db, other_admin)

    assert await organisations_needing_handover(db, admin) == []
    await erase_account(db, admin, contributions=PersonalContributions.KEEP)
    assert admin.erased_at is not None


async def _make_admin(db, user) -> None:  # type: ignore[no-untyped-def]
    membership = await db.scalar(select(Membership).where(Membership.user_id == user.id))
    membership.is_admin = True
    await db.flush()


async def test_a_withdrawn_contribution_cannot_be_moderated_back(db, consultation):
    author = await make_user(db, with_organisation=False)
    moderator = await make_user(db, role=Role.MODERATOR)
    mine = await make_position(db, consultation, author=author, ref="RT1-KM3")
    await erase_account(db, author, contributions=PersonalContributions.REMOVE)
    await db.refresh(mine)

    with pytest.raises(ModerationError):
        await set_visibility(
            db, moderator=moderator, contribution=mine, action=ModerationAction.RESTORE, reason="Bring it back."
        )
