"""Passwords are hashed and checked in a worker thread, never on the event loop: one
sign-in would otherwise stall every request of its worker. The suite-wide guard
(tests/conftest.py) fails any test whose path hashes on the loop; these prove the guard
bites and the public functions pass it."""

from __future__ import annotations

import pytest

from app.security import passwords


async def test_hashing_on_the_loop_is_caught() -> None:
    with pytest.raises(AssertionError, match="on the event loop"):
        passwords._hasher.hash("typed on the loop")


async def test_the_public_functions_work_off_the_loop() -> None:
    stored = await passwords.hash_password("correct horse battery staple")
    assert await passwords.verify_password(stored, "correct horse battery staple")
    assert not await passwords.verify_password(stored, "wrong")
    assert not await passwords.verify_password(None, "anything")  # checked against a dummy hash


async def test_recovery_codes_are_hashed_and_matched_in_one_trip() -> None:
    stored = await passwords.hash_passwords(["first", "second", "third"])
    assert await passwords.first_match(stored, "second") == 1
    assert await passwords.first_match(stored, "fourth") is None
