"""Completing a sign-in, whichever way the person proved who they are (password, OpenID
Connect): a fresh server-side session, the cookie, and back to where they were.

People with two-factor on get no session yet: a short-lived signed cookie remembers, in
their own browser (never in server memory), who is half-way through, and they are sent to
the second step."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, end_session, start_session
from app.accounts.two_factor import is_enabled
from app.audit.services import SIGN_IN, record
from app.i18n import SUPPORTED_LOCALES
from app.urls import path_for
from app.web.flash import flash
from app.web.language import LANGUAGE_COOKIE
from app.web.requests import client_address, db_of
from app.web.responses import safe_next, see_other, set_private_cookie

PENDING_COOKIE = "rt_second_factor"
PENDING_MAX_AGE_SECONDS = 5 * 60


@dataclass(frozen=True)
class PendingSignIn:
    user_id: int
    next_url: str


async def complete_sign_in(request: Request, user: User, message: str, next_url: str = "") -> Response:
    if is_enabled(user):
        return _ask_for_second_factor(request, user, next_url)
    return await start_signed_in_session(request, user, message, next_url)


async def start_signed_in_session(
    request: Request, user: User, message: str, next_url: str = "", *, second_factor: str | None = None
) -> Response:
    """The session itself: a new id (a planted one is useless), audited."""
    db = db_of(request)
    settings = request.app.state.settings
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        await end_session(db, old_token)
    token = await start_session(db, user, max_age_seconds=settings.session_max_age_seconds)
    # A language chosen before signing in becomes the account's: its mail follows it.
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in SUPPORTED_LOCALES:
        user.locale = chosen
    details = {"second_factor": second_factor} if second_factor else {}
    record(db, SIGN_IN, actor=user, subject_user=user, address=client_address(request), details=details)
    await db.commit()
    response = see_other(safe_next(next_url))
    set_private_cookie(request, response, SESSION_COOKIE, token, max_age=settings.session_max_age_seconds)
    response.delete_cookie(PENDING_COOKIE)
    flash(request, response, message)
    return response


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(request.app.state.settings.secret_key), salt="roundtable.second-factor")


def _ask_for_second_factor(request: Request, user: User, next_url: str) -> Response:
    value = _serializer(request).dumps({"user": user.id, "next": safe_next(next_url)})
    response = see_other(path_for("two_factor_sign_in"))
    set_private_cookie(request, response, PENDING_COOKIE, value, max_age=PENDING_MAX_AGE_SECONDS)
    return response


def pending_sign_in(request: Request) -> PendingSignIn | None:
    """Who passed the first step in this browser less than five minutes ago, if anyone."""
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=PENDING_MAX_AGE_SECONDS)
        return PendingSignIn(user_id=int(data["user"]), next_url=safe_next(str(data["next"])))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def signed_out_redirect(request: Request, message: str) -> Response:
    """Back to the home page without the session cookie, saying what happened; the caller
    has already ended the session(s) on the server."""
    response = see_other(path_for("home"))
    response.delete_cookie(SESSION_COOKIE)
    flash(request, response, message)
    return response
