"""Emailed single-use links: stored as hashes, used once, expiring, bound to their purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import AccountToken, TokenPurpose
from app.accounts.tokens import LIFETIMES, TokenError, consume_token, issue_token, issued_within, token_hash
from app.db import utcnow
from tests.factories import make_user


async def test_only_the_hash_is_stored_and_the_lifetime_depends_on_the_purpose(db):
    user = await make_user(db)
    raw = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    token = await db.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    assert token.token_hash == token_hash(raw) and raw not in token.token_hash
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=utcnow().tzinfo)
    assert timedelta(minutes=59) < expires - utcnow() <= timedelta(hours=1)
    assert LIFETIMES[TokenPurpose.VERIFY_EMAIL] == timedelta(hours=48)
    assert LIFETIMES[TokenPurpose.CHANGE_EMAIL] == timedelta(hours=24)


async def test_a_token_works_once(db):
    user = await make_user(db)
    raw = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    token = await consume_token(db, raw, TokenPurpose.VERIFY_EMAIL)
    assert token.user_id == user.id and token.used_at is not None
    with pytest.raises(TokenError) as error:
        await consume_token(db, raw, TokenPurpose.VERIFY_EMAIL)
    assert error.value.reason == "used" and error.value.message == "This link has already been used."


async def test_an_expired_token_is_refused(db):
    user = await make_user(db)
    raw = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    token = await db.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(raw)))
    token.expires_at = utcnow() - timedelta(seconds=1)
    await db.flush()
    with pytest.raises(TokenError) as error:
        await consume_token(db, raw, TokenPurpose.VERIFY_EMAIL)
    assert error.value.reason == "expired"


async def test_a_token_of_another_purpose_or_an_unknown_one_is_refused(db):
    user = await make_user(db)
    raw = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    for attempt, purpose in [(raw, TokenPurpose.RESET_PASSWORD), ("made-up", TokenPurpose.VERIFY_EMAIL)]:
        with pytest.raises(TokenError) as error:
            await consume_token(db, attempt, purpose)
        assert error.value.reason == "unknown"
    assert (await consume_token(db, raw, TokenPurpose.VERIFY_EMAIL)).user_id == user.id  # still usable


async def test_a_new_token_replaces_the_older_unused_one(db):
    user = await make_user(db)
    older = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    newer = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    other_purpose = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    with pytest.raises(TokenError):
        await consume_token(db, older, TokenPurpose.RESET_PASSWORD)
    assert (await consume_token(db, newer, TokenPurpose.RESET_PASSWORD)).user_id == user.id
    assert (await consume_token(db, other_purpose, TokenPurpose.VERIFY_EMAIL)).user_id == user.id


async def test_a_link_for_an_address_the_account_no_longer_has_is_refused(db):
    user = await make_user(db)
    raw = await issue_token(db, user, TokenPurpose.RESET_PASSWORD, user.email)
    user.email = "elsewhere@example.org"
    await db.flush()
    with pytest.raises(TokenError):
        await consume_token(db, raw, TokenPurpose.RESET_PASSWORD)


async def test_issued_within_tells_recent_links(db):
    user = await make_user(db)
    assert not await issued_within(db, user, TokenPurpose.VERIFY_EMAIL, timedelta(minutes=5))
    raw = await issue_token(db, user, TokenPurpose.VERIFY_EMAIL, user.email)
    assert await issued_within(db, user, TokenPurpose.VERIFY_EMAIL, timedelta(minutes=5))
    token = await db.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(raw)))
    token.created_at = utcnow() - timedelta(minutes=6)
    await db.flush()
    assert not await issued_within(db, user, TokenPurpose.VERIFY_EMAIL, timedelta(minutes=5))
