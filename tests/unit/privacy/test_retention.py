"""`roundtable privacy purge`: records past their period go, recent ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import AccountToken, SignInFailure, TokenPurpose
from app.db import utcnow
from app.mail.models import OutgoingMail
from app.privacy.retention import purge
from tests.factories import make_user


async def test_purge_deletes_only_what_is_past_its_period(db):
    user = await make_user(db)
    now = utcnow()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    db.add_all(
        [
            SignInFailure(account_key="old@example.org", attempted_at=old),
            SignInFailure(account_key="recent@example.org", attempted_at=recent),
            _token(user.id, "1", expires_at=old, used_at=None),  # expired long ago
            _token(user.id, "2", expires_at=now + timedelta(hours=1), used_at=old),  # used long ago
            _token(user.id, "3", expires_at=recent, used_at=None),  # expired recently
            _token(user.id, "4", expires_at=now + timedelta(hours=1), used_at=None),  # still valid
            OutgoingMail(recipient="a@example.org", subject="s", body_text="b", sent_at=now - timedelta(days=91)),
            OutgoingMail(recipient="b@example.org", subject="s", body_text="b", sent_at=now - timedelta(days=89)),
            OutgoingMail(recipient="c@example.org", subject="s", body_text="b", created_at=now - timedelta(days=200)),
        ]
    )
    await db.flush()

    report = await purge(db)

    assert (report.sign_in_failures, report.tokens, report.mails) == (1, 2, 1)
    assert list(await db.scalars(select(SignInFailure.account_key))) == ["recent@example.org"]
    assert sorted(await db.scalars(select(AccountToken.token_hash))) == ["3" * 64, "4" * 64]
    assert sorted(await db.scalars(select(OutgoingMail.recipient))) == ["b@example.org", "c@example.org"]


def _token(user_id: int, digit: str, **times) -> AccountToken:  # type: ignore[no-untyped-def]
    return AccountToken(
        user_id=user_id, purpose=TokenPurpose.VERIFY_EMAIL, token_hash=digit * 64, email="x@example.org", **times
    )


def test_the_command_line_offers_the_purge():
    from app.cli import build_parser, cmd_privacy_purge

    assert build_parser().parse_args(["privacy", "purge"]).handler is cmd_privacy_purge
