"""Sign-in throttling per account and network, and per network (password spraying), with
growing delays, decided from timestamps in the database (tests move those back instead of
sleeping)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import SignInFailure, TokenPurpose
from app.accounts.password_reset import reset_password
from app.accounts.services import authenticate
from app.accounts.throttle import network_of
from app.accounts.tokens import issue_token
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


async def add_failures(db, account_key: str, address: str, *, count: int, seconds_ago: int) -> None:  # type: ignore[no-untyped-def]
    """Failures recorded earlier, as authenticate would have recorded them."""
    at = utcnow() - timedelta(seconds=seconds_ago)
    network = network_of(address)
    db.add_all(
        SignInFailure(account_key=account_key, address=address, network=network, attempted_at=at) for _ in range(count)
    )
    await db.flush()


async def test_five_failures_from_a_network_are_free_then_each_waits_twice_as_long(db):
    user = await make_user(db)
    for _ in range(5):
        assert not (await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)).throttled
    refused = await authenticate(db, user.email, PASSWORD, address="192.0.2.200", **LIMITS)  # same /24
    assert refused.throttled and refused.user is None and 3 <= refused.retry_after <= 4
    await age_failures(db, 4, account_key=user.email)
    assert (await authenticate(db, user.email, "guess", address="192.0.2.1", **LIMITS)).user is None
    sixth_wait = (await authenticate(db, user.email, PASSWORD, address="192.0.2.1", **LIMITS)).retry_after
    assert 7 <= sixth_wait <= 8


async def test_failures_from_one_network_do_not_slow_the_account_from_another(db):
    user = await make_user(db)
    for _ in range(5):
        await authenticate(db, user.email, "guess", address="203.0.113.5", **LIMITS)
    await add_failures(db, user.email, "203.0.113.5", count=10, seconds_ago=1)  # a determined stranger
    assert (await authenticate(db, user.email, PASSWORD, address="203.0.113.99", **LIMITS)).throttled
    assert (await authenticate(db, user.email, PASSWORD, address="198.51.100.7", **LIMITS)).user == user


async def test_an_ipv6_network_is_its_slash_64(db):
    user = await make_user(db)
    for number in range(5):
        await authenticate(db, user.email, "guess", address=f"2001:db8:1:2::{number + 1}", **LIMITS)
    assert (await authenticate(db, user.email, PASSWORD, address="2001:db8:1:2:ffff::1", **LIMITS)).throttled
    assert (await authenticate(db, user.email, PASSWORD, address="2001:db8:1:3::1", **LIMITS)).user == user


async def test_the_delay_doubles_up_to_fifteen_minutes(db):
    user = await make_user(db)
    await add_failures(db, user.email, "192.0.2.1", count=14, seconds_ago=1)
    wait = (await authenticate(db, user.email, PASSWORD, address="192.0.2.1", **LIMITS)).retry_after
    assert 15 * 60 - 2 <= wait <= 15 * 60


async def test_a_network_is_slowed_across_accounts(db):
    people = [await make_user(db) for _ in range(21)]
    for number, person in enumerate(people[:20]):  # password spraying: one guess per account
        result = await authenticate(db, person.email, "guess", address=f"203.0.113.{number}", **LIMITS)
        assert not result.throttled
    slowed = await authenticate(db, people[20].email, PASSWORD, address="203.0.113.250", **LIMITS)
    assert slowed.throttled and slowed.user is None and 3 <= slowed.retry_after <= 4
    assert (await authenticate(db, people[20].email, PASSWORD, address="192.0.2.50", **LIMITS)).user == people[20]
    await age_failures(db, 4, network="203.0.113.0/24")
    assert (await authenticate(db, people[20].email, PASSWORD, address="203.0.113.250", **LIMITS)).user == people[20]


async def test_failures_older_than_the_window_do_not_count(db):
    user = await make_user(db)
    await add_failures(db, user.email, "203.0.113.10", count=25, seconds_ago=LIMITS["window_seconds"] + 1)
    assert (await authenticate(db, user.email, PASSWORD, address="203.0.113.10", **LIMITS)).user == user


async def test_failures_record_the_address_and_its_network(db):
    user = await make_user(db)
    await authenticate(db, user.email, "guess", address="2001:db8::1", **LIMITS)
    failure = await db.scalar(select(SignInFailure).where(SignInFailure.account_key == user.email))
    assert (failure.address, failure.network) == ("2001:db8::1", "2001:db8::/64")


async def test_signing_in_clears_the_failures_of_that_network_only(db):
    user = await make_user(db)
    for _ in range(5):
        await authenticate(db, user.email, "guess", address="203.0.113.5", **LIMITS)
        await authenticate(db, user.email, "guess", address="198.51.100.7", **LIMITS)
    await age_failures(db, 60, network="198.51.100.0/24")
    assert (await authenticate(db, user.email, PASSWORD, address="198.51.100.7", **LIMITS)).user == user
    assert (await authenticate(db, user.email, PASSWORD, address="203.0.113.5", **LIMITS)).throttled
    left = (await db.scalars(select(SignInFailure.network).where(SignInFailure.account_key == user.email))).all()
    assert set(left) == {"203.0.113.0/24"}


async def test_a_password_reset_clears_every_failure_of_the_account(db):
    user = await make_user(db)
    for _ in range(5):
        await authenticate(db, user.email, "guess", address="203.0.113.5", **LIMITS)
    raw = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    await reset_password(db, raw, "a brand new passphrase")
    assert (await authenticate(db, user.email, "a brand new passphrase", address="203.0.113.5", **LIMITS)).user == user


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.77", "192.0.2.0/24"),
        ("2001:db8:aa:bb:cc::1", "2001:db8:aa:bb::/64"),
        ("::ffff:192.0.2.77", "192.0.2.0/24"),  # IPv4 seen through an IPv6 socket
        ("fe80::1%eth0", "fe80::/64"),
        ("testclient", "testclient"),  # not an IP address: counted on its own
        (None, None),
    ],
)
def test_network_of(address, network):
    assert network_of(address) == network
