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
