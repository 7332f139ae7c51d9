"""Sign-in throttling per account and per address, with growing delays, decided from
timestamps in the database (tests move those back instead of sleeping)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import SignInFailure
from app.accounts.services import authenticate
from app.db import utcnow
from tests.factories import PASSWORD, make_user

LIMITS = {"max_failures": 5, "window_seconds": 15 * 60}


async def age_failures(db, seconds: int, **where) -> None:  # type: ignore[no-untyped-def]
    """Pretend every matching failure happened `seconds` earlier."""
    conditions = [getattr(SignInFailure, name) == value for name, value in where.items()]
    failures = (await db.scalars(select(SignInFailure).where(*conditions))).all()
    for failure in failures:
        failure.attempted_at = failure.attempted_at - timedelta(seconds=seconds)
    await db.flush()


async def test_three_failures_are_free_then_each_waits_twice_as_long(db):
    user = await make_user(db)
    for _ in range(3):
        assert not (await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)).throttled
    fourth = await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)
    assert not fourth.throttled and fourth.user is None  # checked: the 4th failure is recorded
    refused = await authenticate(db, user.email, PASSWORD, address="192.0.2.1", **LIMITS)
    assert refused.throttled and refused.user is None and 1 <= refused.retry_after <= 2
    await age_failures(db, 2, account_key=user.email)
    assert (await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)).user is None
    fifth_wait = (await authenticate(db, user.email, PASSWORD, address="192.0.2.1", **LIMITS)).retry_after
    assert fifth_wait > 2  # 5 failures: the account is now locked until the oldest leaves the window


async def test_an_account_is_locked_after_five_failures_until_the_oldest_leaves_the_window(db):
    user = await make_user(db)
    for _ in range(5):
        await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)
        await age_failures(db, 60, account_key=user.email)  # each a minute apart: no delay applies
    result = await authenticate(db, user.email, PASSWORD, address="198.51.100.7", **LIMITS)
    assert result.throttled  # from any address
    assert 9 * 60 < result.retry_after <= 10 * 60  # the oldest is 5 minutes old
    await age_failures(db, 10 * 60, account_key=user.email)
    assert (await authenticate(db, user.email, PASSWORD, address="198.51.100.7", **LIMITS)).user == user


async def test_an_address_is_slowed_across_accounts(db):
    people = [await make_user(db) for _ in range(5)]
    address = "203.0.113.9"
    for person in people[:4]:
        assert not (await authenticate(db, person.email, "guess", address=address, **LIMITS)).throttled
    slowed = await authenticate(db, people[4].email, PASSWORD, address=address, **LIMITS)
    assert slowed.throttled and slowed.user is None and 1 <= slowed.retry_after <= 2  # 4 failures from here
    assert (await authenticate(db, people[4].email, PASSWORD, address="192.0.2.50", **LIMITS)).user == people[4]
    await age_failures(db, 2, address=address)
    assert (await authenticate(db, people[4].email, PASSWORD, address=address, **LIMITS)).user == people[4]


async def test_an_address_with_twenty_recent_failures_is_refused_for_every_account(db):
    user = await make_user(db)
    earlier = utcnow() - timedelta(minutes=14)
    db.add_all(
        SignInFailure(account_key=f"guess{n}@example.org", address="203.0.113.10", attempted_at=earlier)
        for n in range(20)
    )
    await db.flush()
    refused = await authenticate(db, user.email, PASSWORD, address="203.0.113.10", **LIMITS)
    assert refused.throttled and refused.user is None and 0 < refused.retry_after <= 60
    await age_failures(db, 61, address="203.0.113.10")  # now out of the 15-minute window
    assert (await authenticate(db, user.email, PASSWORD, address="203.0.113.10", **LIMITS)).user == user


async def test_failures_record_the_address(db):
    user = await make_user(db)
    await authenticate(db, user.email, "guess", address="2001:db8::1", **LIMITS)
    assert (
        await db.scalar(select(SignInFailure.address).where(SignInFailure.account_key == user.email)) == "2001:db8::1"
    )
