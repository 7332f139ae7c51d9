"""Two-factor services: set-up, codes accepted once, recovery codes once, throttle."""

from __future__ import annotations

import pyotp
import pytest
from anyio import to_thread
from sqlalchemy import select

from app.accounts.models import RecoveryCode
from app.accounts.two_factor import (
    Method,
    TwoFactorError,
    confirm_setup,
    grouped,
    is_enabled,
    pending_secret,
    provisioning_uri,
    qr_svg,
    unused_recovery_codes,
    verify_second_factor,
)
from app.audit.models import AuditEvent
from app.audit.services import RECOVERY_CODE_USED, TWO_FACTOR_ENABLE, TWO_FACTOR_VERIFY_FAILED
from app.db import utcnow
from app.security.roles import Role
from tests.factories import make_user

LIMITS = {"max_failures": 5, "window_seconds": 900, "address": "127.0.0.1"}


def code_for(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(utcnow(), counter_offset=offset)


async def tags_about(db, user) -> list[str]:
    return list((await db.scalars(select(AuditEvent.tag).where(AuditEvent.subject_user_id == user.id))).all())


async def enabled_user(db) -> tuple[object, list[str]]:
    user = await make_user(db)
    secret = pending_secret(user)
    codes = await confirm_setup(db, user, code_for(secret), address=None)
    return user, codes


async def test_the_secret_survives_reloads_until_confirmed(db):
    user = await make_user(db)
    secret = pending_secret(user)
    assert pending_secret(user) == secret and not is_enabled(user)
    assert provisioning_uri(user, secret).startswith("otpauth://totp/Roundtable:")
    assert grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
    svg = await to_thread.run_sync(qr_svg, provisioning_uri(user, secret))  # never on the event loop
    assert svg.startswith("<svg") and "style=" not in svg  # our CSP blocks inline styles


async def test_a_wrong_code_does_not_turn_it_on(db):
    user = await make_user(db)
    pending_secret(user)
    with pytest.raises(TwoFactorError):
        await confirm_setup(db, user, "12345", address=None)
    assert not is_enabled(user)


async def test_confirming_turns_it_on_with_ten_hashed_recovery_codes(db):
    user, codes = await enabled_user(db)
    assert is_enabled(user) and len(set(codes)) == 10
    stored = (await db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    assert TWO_FACTOR_ENABLE in await tags_about(db, user)
    with pytest.raises(TwoFactorError):
        pending_secret(user)


async def test_a_code_is_accepted_once(db):
    user, _ = await enabled_user(db)
    # The set-up used this step's code; the next step's is accepted once, then refused.
    assert (await verify_second_factor(db, user, code_for(user.totp_secret, 1), **LIMITS)).method is Method.TOTP
    assert not (await verify_second_factor(db, user, code_for(user.totp_secret, 1), **LIMITS)).ok
    assert not (await verify_second_factor(db, user, code_for(user.totp_secret), **LIMITS)).ok
    assert TWO_FACTOR_VERIFY_FAILED in await tags_about(db, user)


async def test_a_recovery_code_works_once(db):
    user, codes = await enabled_user(db)
    typed = codes[3].upper().replace("-", " ")  # spaces and case do not matter
    assert (await verify_second_factor(db, user, typed, **LIMITS)).method is Method.RECOVERY_CODE
    assert not (await verify_second_factor(db, user, codes[3], **LIMITS)).ok
    assert await unused_recovery_codes(db, user) == 9
    assert RECOVERY_CODE_USED in await tags_about(db, user)


async def test_five_wrong_codes_block_even_the_right_one(db):
    user, codes = await enabled_user(db)
    for _ in range(5):
        assert not (await verify_second_factor(db, user, "000000x", **LIMITS)).ok
    blocked = await verify_second_factor(db, user, codes[0], **LIMITS)
    assert blocked.throttled and not blocked.ok


async def test_people_without_two_factor_pass_no_second_step(db):
    user = await make_user(db, role=Role.MODERATOR, two_factor=False)
    assert not is_enabled(user)
    assert not (await verify_second_factor(db, user, "123456", **LIMITS)).ok
