"""Completing a sign-in, whichever way the person proved who they are (password, OpenID
Connect): a fresh server-side session, the cookie, and back to where they were."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, end_session, start_session
from app.web.flash import flash
from app.web.requests import db_of
from app.web.responses import safe_next, see_other


async def complete_sign_in(request: Request, user: User, message: str, next_url: str = "") -> Response:
    db = db_of(request)
    settings = request.app.state.settings
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        await end_session(db, old_token)
    token = await start_session(db, user, max_age_seconds=settings.session_max_age_seconds)
    await db.commit()
    response = see_other(safe_next(next_url))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    flash(request, response, message)
    return response
