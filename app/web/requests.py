"""Typed access to what the middleware put in request state."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, identity_for_token
from app.security.identity import ANONYMOUS, Identity


def db_of(request: Request) -> AsyncSession:
    db: AsyncSession = request.state.db
    return db


def signed_in_user(request: Request) -> User:
    """The person behind a request that the policy already required to be signed in."""
    user = identity_of(request).user
    if user is None:
        raise RuntimeError("signed_in_user() before require(): the policy must run first")
    return user


def identity_of(request: Request) -> Identity:
    identity: Identity = request.state.identity
    return identity


def client_address(request: Request) -> str | None:
    """The client's address (behind the proxy, uvicorn's proxy_headers put the real one here)."""
    return request.client.host[:45] if request.client else None


async def rollback(request: Request) -> None:
    """Undo the request's writes and load its person again: a rollback expires all the
    session loaded, and a page that then read the person would load lazily, which async
    SQLAlchemy refuses (the page would fail)."""
    db = db_of(request)
    await db.rollback()
    if identity_of(request).user is not None:
        token = request.cookies.get(SESSION_COOKIE)
        request.state.identity = await identity_for_token(db, token) if token else ANONYMOUS
