"""Two-factor secrets: `users create --totp-secret` takes only 160 bits or more of valid
base32, and a weak or broken secret already in the database never turns sign-in into a 500."""

from __future__ import annotations

import logging

import pytest

from app.accounts.cli import enable_two_factor_from_cli
from app.accounts.services import AccountError
from app.accounts.two_factor import Method, pending_secret, replace_recovery_codes, verify_second_factor
from app.db import utcnow
from tests.factories import PASSWORD, make_user
from tests.support import field_errors, post_form, visible_text

LIMITS = {"max_failures": 5, "window_seconds": 900, "address": "127.0.0.1"}
SHORT_SECRET = "JBSWY3DPEHPK3PXP"  # 16 characters, 80 bits: pyotp refuses it


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (SHORT_SECRET, "--totp-secret must have at least 32 base32 characters (160 bits), not 16"),
        ("A" * 31, "--totp-secret must have at least 32 base32 characters (160 bits), not 31"),
        ("0" * 32, "--totp-secret must be base32 (letters A-Z and digits 2-7)"),
        ("A" * 33, "--totp-secret must be base32 (letters A-Z and digits 2-7)"),  # no whole bytes
    ],
)
async def test_users_create_refuses_a_weak_or_broken_secret(db, secret, message):
    user = await make_user(db, two_factor=False)
    with pytest.raises(AccountError) as refused:
        enable_two_factor_from_cli(user, secret)
    assert refused.value.field == "totp_secret" and refused.value.message == message
    assert user.totp_secret is None and user.totp_enabled_at is None


async def test_users_create_takes_a_long_secret_typed_in_groups(db):
    user = await make_user(db, two_factor=False)
    enable_two_factor_from_cli(user, "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp")
    assert user.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" and user.totp_enabled_at is not None


async def short_secret_user(db):  # type: ignore[no-untyped-def]
    """Someone whose stored secret is too short for pyotp, as the old `users create` allowed."""
    user = await make_user(db, two_factor=False)
    user.totp_secret = SHORT_SECRET
    user.totp_enabled_at = utcnow()
    codes = await replace_recovery_codes(db, user)
    await db.flush()
    return user, codes


async def test_a_stored_bad_secret_is_a_failed_code_that_is_logged(db, caplog):
    user, codes = await short_secret_user(db)
    with caplog.at_level(logging.WARNING, logger="app.accounts.two_factor"):
        result = await verify_second_factor(db, user, "123456", **LIMITS)
    assert result.method is None and not result.throttled
    assert any(f"user {user.id}" in record.getMessage() for record in caplog.records)
    assert (await verify_second_factor(db, user, codes[0], **LIMITS)).method is Method.RECOVERY_CODE


async def test_a_stored_bad_secret_never_makes_sign_in_answer_500(client, db):
    user, codes = await short_secret_user(db)
    await db.commit()
    first = await post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert first.headers["location"] == "/sign-in/two-factor"
    wrong = await post_form(client, "/sign-in/two-factor", {"code": "123456"})
    assert wrong.status_code == 422 and "recovery code" in field_errors(wrong)["code"]
    done = await post_form(client, "/sign-in/two-factor", {"code": codes[0]})
    assert done.status_code == 303
    assert "Signed in as" in visible_text(await client.get("/"))


async def test_setting_up_again_replaces_a_stored_bad_secret(db):
    user = await make_user(db, two_factor=False)
    user.totp_secret = SHORT_SECRET  # set up half-way long ago, never confirmed
    assert len(pending_secret(user)) == 32
