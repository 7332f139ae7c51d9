"""The person behind a request, as an account (User): what the shared layers know only by its
shape (app.security.identity.Person), the domains read in full here."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, identity_for_token
from app.security.identity import ANONYMOUS, Identity
from app.security.permissions import Permission
from app.security.policy import require
from app.web.requests import db_of, identity_of


def user_of(identity: Identity) -> User | None:
    """The signed-in person's account; the request middleware only ever puts a User there."""
    user = identity.user
    if user is not None and not isinstance(user, User):
        raise TypeError(f"expected a User behind the identity, got {type(user).__name__}")
    return user


def signed_in_user(request: Request) -> User:
    """The person behind a request that the policy already required to be signed in."""
    user = user_of(identity_of(request))
    if user is None:
        raise RuntimeError("signed_in_user() before require(): the policy must run first")
    return user


def account_holder(request: Request) -> User:
    """The person managing their own account (refused to anyone not signed in)."""
    require(identity_of(request), Permission.MANAGE_OWN_ACCOUNT)
    return signed_in_user(request)


async def rollback(request: Request) -> None:
    """Undo the request's writes and load its person again: a rollback expires all the
    session loaded, and a page that then read the person would load lazily, which async
    SQLAlchemy refuses (the page would fail)."""
    db = db_of(request)
    await db.rollback()
    if identity_of(request).user is not None:
        token = request.cookies.get(SESSION_COOKIE)
        request.state.identity = await identity_for_token(db, token) if token else ANONYMOUS
