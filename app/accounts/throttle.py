"""The sign-in throttle: failures counted per account and network, so a stranger guessing a
person's password slows only the network they guess from, and per network across accounts,
against password spraying. Decided from timestamps in the database (no sleeping, no process
memory), so every worker applies the same throttle."""

from __future__ import annotations

import ipaddress
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import SignInFailure
from app.db import utcnow

#: The wait after the first failure beyond the free ones; each further failure doubles it.
FIRST_DELAY_SECONDS = 4
MAX_DELAY_SECONDS = 15 * 60
#: A network is one IPv4 /24 or IPv6 /64: what one household, office or attacker usually holds.
IPV4_PREFIX = 24
IPV6_PREFIX = 64


def network_of(address: str | None) -> str | None:
    """The network an address belongs to, as stored with each failure; something that is not
    an IP address (a Unix socket peer, a test client's name) is its own network."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # a zone (fe80::1%eth0) is not part of it
    except ValueError:
        return address[:45]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network((ip, prefix), strict=False))


def record_failure(db: AsyncSession, account_key: str, address: str | None) -> None:
    db.add(SignInFailure(account_key=account_key, address=address, network=network_of(address), attempted_at=utcnow()))


async def clear_failures(db: AsyncSession, account_key: str, *, address: str | None = None, everywhere: bool) -> None:
    """Forget an account's failures: from the network that just signed in (a stranger's
    elsewhere keep slowing them), or everywhere (after a password reset)."""
    condition = SignInFailure.account_key == account_key
    if not everywhere:
        condition = condition & _same_network(network_of(address))
    await db.execute(delete(SignInFailure).where(condition))


async def throttle_wait(
    db: AsyncSession,
    account_key: str,
    address: str | None,
    *,
    max_failures: int,
    max_network_failures: int,
    window_seconds: int,
) -> int:
    """Seconds to wait before a sign-in for this account from this address is checked (0: go).

    Within the window, `max_failures` failures for this account from this network, or
    `max_network_failures` from this network for any accounts, are free; beyond them each
    attempt must wait FIRST_DELAY_SECONDS after the last failure, doubling with each further
    failure, up to MAX_DELAY_SECONDS. Failures from other networks never count, so nobody
    can lock a person out from where the person is."""
    since = utcnow() - timedelta(seconds=window_seconds)
    network = network_of(address)
    by_account = await _failure_times(db, (SignInFailure.account_key == account_key) & _same_network(network), since)
    waits = [_wait_for(by_account, max_failures)]
    if network is not None:
        by_network = await _failure_times(db, SignInFailure.network == network, since)
        waits.append(_wait_for(by_network, max_network_failures))
    return math.ceil(max(waits))


def _same_network(network: str | None) -> ColumnElement[bool]:
    return SignInFailure.network.is_(None) if network is None else SignInFailure.network == network


async def _failure_times(db: AsyncSession, condition: ColumnElement[bool], since: datetime) -> list[datetime]:
    rows = await db.scalars(
        select(SignInFailure.attempted_at)
        .where(condition, SignInFailure.attempted_at >= since)
        .order_by(SignInFailure.attempted_at)
    )
    return [value if value.tzinfo else value.replace(tzinfo=UTC) for value in rows]


def _wait_for(times: list[datetime], free: int) -> float:
    """Seconds still to wait, given the failures in the window (oldest first)."""
    if len(times) < free:
        return 0.0
    delay = min(FIRST_DELAY_SECONDS * 2 ** min(len(times) - free, 20), MAX_DELAY_SECONDS)
    return max(0.0, (times[-1] + timedelta(seconds=delay) - utcnow()).total_seconds())
