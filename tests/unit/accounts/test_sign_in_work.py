"""Sign-in does the same work whether or not the address has a usable account, so its
duration does not tell a stranger which addresses have accounts. Counted, not timed: every
argon2 verification goes through a counting wrapper around the real one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import Parameters, PasswordHasher, extract_parameters

from app.accounts.services import authenticate, deactivate_user
from app.security.passwords import hash_password
from tests.factories import PASSWORD, make_user

LIMITS = {"max_failures": 5, "window_seconds": 15 * 60}


@pytest.fixture
def verified_hashes(monkeypatch: pytest.MonkeyPatch) -> list[Parameters]:
    """The parameters of each hash that the real argon2 verification checks."""
    seen: list[Parameters] = []
    real_verify: Callable[..., bool] = PasswordHasher.verify

    def counting_verify(self: PasswordHasher, stored: str | bytes, password: str | bytes) -> bool:
        seen.append(extract_parameters(stored if isinstance(stored, str) else stored.decode()))
        return real_verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    return seen


async def test_every_refused_sign_in_verifies_one_hash_with_the_real_parameters(db, verified_hashes):
    real = extract_parameters(await hash_password("any password"))
    existing = await make_user(db)
    inactive = await make_user(db)
    await deactivate_user(db, inactive)
    without_password = await make_user(db)  # as after erasure, or an OpenID-only account
    without_password.password_hash = None
    await db.flush()
    emails = [existing.email, "nobody@example.org", inactive.email, without_password.email]
    for number, email in enumerate(emails):
        verified_hashes.clear()
        result = await authenticate(db, email, "a wrong password", address=f"192.0.2.{number}", **LIMITS)
        assert result.user is None and not result.throttled
        assert verified_hashes == [real], email


async def test_a_deactivated_account_is_refused_even_with_its_password(db):
    person = await make_user(db)
    await deactivate_user(db, person)
    assert (await authenticate(db, person.email, PASSWORD, address="192.0.2.1", **LIMITS)).user is None
