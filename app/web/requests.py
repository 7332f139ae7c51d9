"""Typed access to what the middleware put in request state."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.security.identity import Identity


def db_of(request: Request) -> AsyncSession:
    db: AsyncSession = request.state.db
    return db


def identity_of(request: Request) -> Identity:
    identity: Identity = request.state.identity
    return identity


def client_address(request: Request) -> str | None:
    """The client's address (behind the proxy, uvicorn's proxy_headers put the real one here)."""
    return request.client.host[:45] if request.client else None
