"""Per-request database session and identity, kept in request state (never in process
memory shared between requests, so any number of workers can serve the site)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.accounts.sessions import SESSION_COOKIE, identity_for_token
from app.security.identity import ANONYMOUS

#: Requests that only read; any other method may write.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestContextMiddleware:
    """Opens one database session per request and resolves who is asking.

    A request that may write (POST and the like) gets its session from `write_sessionmaker`,
    whose SQLite transactions take the write lock as they begin (app.db.writing), so writes
    that meet wait for each other instead of failing; reads keep plain transactions."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        write_sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.app = app
        self.sessionmaker = sessionmaker
        self.write_sessionmaker = write_sessionmaker or sessionmaker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        reading = scope["method"] in READING_METHODS
        async with (self.sessionmaker if reading else self.write_sessionmaker)() as db:
            state = scope.setdefault("state", {})
            state["db"] = db
            token = _cookie(Headers(scope=scope), SESSION_COOKIE)
            state["identity"] = await identity_for_token(db, token) if token else ANONYMOUS
            await self.app(scope, receive, send)


def _cookie(headers: Headers, name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:
        return None
    morsel = cookie.get(name)
    return morsel.value if morsel else None
