"""Error pages people can act on, never a stack trace; every one, 500 included, is the site's
own page and passes through the secure headers (ErrorPageMiddleware sits inside them)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _
from app.security.identity import ANONYMOUS
from app.security.policy import ConsultationNotOpen, SignInRequired, TwoFactorRequired
from app.templating import render
from app.urls import path_for
from app.web.forms import FIELD_COUNT_LIMIT, FIELD_SIZE_LIMIT
from app.web.responses import see_other

logger = logging.getLogger(__name__)

#: Starlette's form parser says "... exceeded maximum size of ...KB." when one field is too long.
_FIELD_TOO_LONG = "exceeded maximum size"
#: Not a status: the key of the message for a 400 that the form parser raised.
FORM_UNREADABLE = -400


def _megabytes(size: int) -> str:
    return _("%(size)s MB", size=f"{size / (1024 * 1024):g}")


def _messages(request: Request) -> dict[int, tuple[str, str]]:
    paper = getattr(request.app.state.settings, "attachment_max_bytes", 0)
    return {
        400: (_("Bad request"), _("This address or what was sent with it is not valid. Check it and try again.")),
        FORM_UNREADABLE: (
            _("The form could not be read"),
            _(
                "What was sent is not a form this site can read: a form has at most %(fields)s fields, "
                "each holding at most %(size)s. Go back, reload the page and send it again.",
                fields=FIELD_COUNT_LIMIT,
                size=_megabytes(FIELD_SIZE_LIMIT),
            ),
        ),
        403: (_("You cannot do this"), _("Your account does not have permission for this page or action.")),
        404: (_("Page not found"), _("There is nothing at this address. Check it, or start from the home page.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (
            _("What you sent is too large"),
            _(
                "Each field of a form may hold at most %(size)s of text, and a position paper may be at "
                "most %(paper)s. Go back, shorten the text or choose a smaller file, and send it again.",
                size=_megabytes(FIELD_SIZE_LIMIT),
                paper=_megabytes(paper),
            ),
        ),
        500: (_("Something went wrong"), _("The error has been logged. Please try again in a moment.")),
    }


def _status(exc: Exception) -> tuple[int, int]:
    """The status to answer and the key of its message. Only form parsing gives a 400 its own
    detail (Starlette's parser, app.security.csrf); the app's own 400s keep the phrase. A
    field too long is 413, like a body too large."""
    if not isinstance(exc, HTTPException):
        return 500, 500
    detail = str(exc.detail)
    if exc.status_code != 400 or detail == HTTPStatus.BAD_REQUEST.phrase:
        return exc.status_code, exc.status_code
    return (413, 413) if _FIELD_TOO_LONG in detail else (400, FORM_UNREADABLE)


async def http_error(request: Request, exc: Exception) -> Response:
    status, message = _status(exc)
    title, explanation = _messages(request).get(message, (_("Error"), _("The request could not be completed.")))
    response = render(
        request, "errors/error.html", {"title": title, "explanation": explanation, "status": status}, status_code=status
    )
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


async def sign_in_required(request: Request, _exc: Exception) -> Response:
    target = request.url.path if request.method == "GET" else request.headers.get("referer", path_for("home"))
    response = see_other(f"{path_for('sign_in')}?next={quote(_local_path(target, request))}")
    if request.headers.get("hx-request"):
        response.headers["HX-Redirect"] = response.headers["location"]
    return response


async def two_factor_required(request: Request, _exc: Exception) -> Response:
    """A moderator, negotiator or admin without two-factor: say why, and where to fix it."""
    return render(request, "errors/two_factor_required.html", {"status": 403}, status_code=403)


async def consultation_not_open(request: Request, exc: Exception) -> Response:
    """A write before the consultation opens or after it closed: say when, not just "no"."""
    assert isinstance(exc, ConsultationNotOpen)
    context = {"consultation": exc.consultation, "status": 403}
    response = render(request, "errors/consultation_not_open.html", context, status_code=403)
    if request.headers.get("hx-request"):
        # htmx swaps no 403: reload the page the form was on, which now says when, without forms.
        current = request.headers.get("hx-current-url", path_for("consultation", slug=exc.consultation.slug))
        response.headers["HX-Redirect"] = _local_path(current, request)
    return response


def _local_path(target: str, request: Request) -> str:
    base = str(request.base_url).rstrip("/")
    return target[len(base) :] or "/" if target.startswith(base) else (target if target.startswith("/") else "/")


async def server_error(request: Request, exc: Exception) -> Response:
    """The 500 page. The failed request's database session may be closed or rolled back, so
    nothing it loaded is read again: the page is laid out as for an anonymous visitor."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    request.scope.setdefault("state", {})["identity"] = ANONYMOUS
    try:
        response = await http_error(request, exc)
    except Exception:
        logger.exception("the error page itself failed on %s %s", request.method, request.url.path)
        response = PlainTextResponse(_("Something went wrong. The error has been logged."), status_code=500)
    response.headers["Cache-Control"] = "no-store"
    return response


class ErrorPageMiddleware:
    """Turns what escapes the app and the middleware inside this one (a failed request, a
    form the CSRF check could not read) into the site's own error page. Starlette's own
    last-resort handler sits outside every middleware, so its answer would miss the secure
    headers; this one sits just inside them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception as exc:
            if started:
                raise
            request = Request(scope, receive)
            handler = http_error if isinstance(exc, HTTPException) else server_error
            await (await handler(request, exc))(scope, receive, send)


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    SignInRequired: sign_in_required,
    TwoFactorRequired: two_factor_required,
    ConsultationNotOpen: consultation_not_open,
    500: server_error,
}
