"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106).

argon2 is deliberately slow (tens to hundreds of milliseconds of CPU): on the event loop,
one sign-in would stall every request of its worker. So the only way to hash or verify is
awaited, and the work runs in a worker thread (argon2-cffi releases the GIL while it hashes,
so other requests go on meanwhile).

At most HASHING_SLOTS hashes run at once per worker; the next wait their turn without holding
a thread. Each takes 64 MiB and about a quarter of a second of a core (the RFC 9106 profile,
four lanes), so more at once would not finish a burst of sign-ins sooner: 40 (anyio's
default thread limit) would take 2.5 GiB and every thread the other off-loop work (exports,
PDF checks, QR codes, diffs) needs."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# The test suite hashes hundreds of passwords; the cheapest argon2id profile keeps it fast.
# Hashes carry their parameters, so verification works across profiles.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("ROUNDTABLE_ENV") == "test"
    else PasswordHasher()
)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so timing does not reveal accounts.
    Made on the first sign-in, in its worker thread, not when the module is imported: every
    command and process start would pay a quarter of a second of CPU and 64 MiB for it."""
    return _hasher.hash("not a real password")


#: Hashes computed at once per worker: as many as the two cores of the machine it was sized
#: for (each hash's four lanes share them).
HASHING_SLOTS = 2
_hashing = CapacityLimiter(HASHING_SLOTS)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password, limiter=_hashing)


async def hash_passwords(passwords: Sequence[str]) -> list[str]:
    """Several at once (recovery codes): one trip to the worker thread."""
    return await to_thread.run_sync(lambda: [_hasher.hash(password) for password in passwords], limiter=_hashing)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; a missing hash is checked against a dummy one, so the
    answer takes as long whether or not the account exists."""
    return await to_thread.run_sync(_verify, password_hash, password, limiter=_hashing)


async def first_match(password_hashes: Sequence[str], password: str) -> int | None:
    """The index of the first hash the password matches (recovery codes), or None."""

    def search() -> int | None:
        return next((index for index, stored in enumerate(password_hashes) if _verify(stored, password)), None)

    return await to_thread.run_sync(search, limiter=_hashing)
