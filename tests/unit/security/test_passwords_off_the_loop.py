"""Passwords are hashed and checked in a worker thread, never on the event loop: one
sign-in would otherwise stall every request of its worker. The suite-wide guard
(tests/conftest.py) fails any test whose path hashes on the loop; these prove the guard
bites and the public functions pass it, and that a burst of sign-ins is hashed a few at a
time rather than in every thread the worker has."""

from __future__ import annotations

import threading

import anyio
import pytest
from anyio import from_thread, to_thread

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


class _HeldHasher:
    """Stands in for argon2: each hash waits until the test lets it finish, and counts how many
    are being computed at once."""

    def __init__(self, slots: int) -> None:
        self.slots, self.all_slots_taken = slots, anyio.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = self.most = 0

    def hash(self, password: str) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            if self.running == self.slots:
                from_thread.run_sync(self.all_slots_taken.set)
        self.release.wait(timeout=30)
        with self.lock:
            self.running -= 1
        return f"hashed {password}"


async def test_a_burst_of_sign_ins_hashes_a_few_at_a_time_and_leaves_the_threads_to_others(monkeypatch):
    held = _HeldHasher(passwords.HASHING_SLOTS)
    monkeypatch.setattr(passwords, "_hasher", held)
    default_threads = to_thread.current_default_thread_limiter()
    async with anyio.create_task_group() as burst:
        for number in range(10):
            burst.start_soon(passwords.hash_password, f"password {number}")
        with anyio.fail_after(10):
            await held.all_slots_taken.wait()
        waiting = passwords._hashing.statistics().tasks_waiting
        threads_taken = default_threads.borrowed_tokens
        held.release.set()
    assert waiting == 10 - passwords.HASHING_SLOTS  # the rest wait their turn, holding no thread
    assert threads_taken == 0  # exports, PDF checks and QR codes still get their threads
    assert held.most == passwords.HASHING_SLOTS
