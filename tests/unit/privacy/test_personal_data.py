"""The personal data download: everything about the person, never a secret."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import AccountToken, RecoveryCode, SignInFailure, TokenPurpose, UserIdentity, UserSession
from app.accounts.sessions import start_session
from app.audit.services import SIGN_IN, record
from app.db import utcnow
from app.discussion.models import ContributionStatus
from app.mail.models import OutgoingMail
from app.moderation.models import ModerationAction
from app.moderation.services import set_visibility
from app.privacy.export import personal_data
from app.security.roles import Role
from tests.factories import make_position, make_user, totp_secret_for

TOKEN_HASH = "f" * 64
RECOVERY_HASH = "$argon2id$v=19$m=8,t=1,p=1$recoveryhashvalue"


async def test_download_holds_every_kind_of_record(db, consultation):
    user = await make_user(db, name="Aminata Diallo", two_factor=True)
    moderator = await make_user(db, name="Mia Moderator", role=Role.MODERATOR)
    await start_session(db, user, max_age_seconds=3600)
    db.add(UserIdentity(user_id=user.id, provider="eulogin", subject="sub-42", email=user.email))
    db.add(SignInFailure(account_key=user.email, address="192.0.2.7"))
    db.add(OutgoingMail(recipient=user.email, subject="Confirm your address", body_text="secret link"))
    record(db, SIGN_IN, actor=user, subject_user=user, address="192.0.2.8")
    visible = await make_position(db, consultation, author=user, ref="RT1-KM1", body="Visible words.")
    hidden = await make_position(db, consultation, author=user, ref="RT1-KM2", body="Hidden words.")
    await set_visibility(
        db, moderator=moderator, contribution=hidden, action=ModerationAction.HIDE, reason="Off topic."
    )
    await db.flush()

    data = await personal_data(db, user)

    assert data["profile"]["display_name"] == "Aminata Diallo" and data["profile"]["email"] == user.email
    assert data["profile"]["two_factor"] is True and data["profile"]["roles"] == ["participant"]
    assert [m["organisation"]["name"] for m in data["memberships"]]
    assert data["sign_in_identities"][0]["subject"] == "sub-42"
    assert len(data["sessions"]) == 1 and set(data["sessions"][0]) == {"signed_in_at", "expires_at"}
    bodies = {c["id"]: c["body"] for c in data["contributions"]}
    assert bodies == {visible.id: "Visible words.", hidden.id: "Hidden words."}
    assert {c["status"] for c in data["contributions"]} == {"visible", ContributionStatus.HIDDEN.value}
    [decision] = data["moderation_of_your_contributions"]
    assert decision == {"contribution_id": hidden.id, "action": "hide", "reason": "Off topic.", "at": decision["at"]}
    assert "Mia Moderator" not in json.dumps(data)
    assert data["sign_in_failures"][0]["address"] == "192.0.2.7"
    assert {"tag": SIGN_IN, "address": "192.0.2.8"}.items() <= data["audit_events"][0].items()
    assert data["mail_sent_to_you"][0]["subject"] == "Confirm your address"
    assert "secret link" not in json.dumps(data)


async def test_download_never_holds_a_secret_or_a_hash(db):
    user = await make_user(db, two_factor=True)
    await start_session(db, user, max_age_seconds=3600)
    db.add(RecoveryCode(user_id=user.id, code_hash=RECOVERY_HASH))
    db.add(
        AccountToken(
            user_id=user.id,
            purpose=TokenPurpose.RESET_PASSWORD,
            token_hash=TOKEN_HASH,
            email=user.email,
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    await db.flush()
    session_hash = (await db.execute(select(UserSession.id_hash))).scalar()

    serialised = json.dumps(await personal_data(db, user))

    assert user.password_hash and user.password_hash not in serialised
    assert totp_secret_for(user.email) not in serialised and user.totp_secret not in serialised
    assert RECOVERY_HASH not in serialised and "recoveryhashvalue" not in serialised
    assert TOKEN_HASH not in serialised
    assert session_hash not in serialised
