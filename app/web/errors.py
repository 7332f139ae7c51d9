"""Error pages people can act on, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.i18n import _
from app.security.policy import SignInRequired, TwoFactorRequired
from app.templating import render
from app.web.responses import see_other

logger = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        403: (_("You cannot do this"), _("Your account does not have permission for this page or action.")),
        404: (_("Page not found"), _("There is nothing at this address. Check it, or start from the home page.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        500: (_("Something went wrong"), _("The error has been logged. Please try again in a moment.")),
    }


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    title, explanation = _messages().get(status, (_("Error"), _("The request could not be completed.")))
    return render(
        request, "errors/error.html", {"title": title, "explanation": explanation, "status": status}, status_code=status
    )


async def sign_in_required(request: Request, _exc: Exception) -> Response:
    target = request.url.path if request.method == "GET" else request.headers.get("referer", "/")
    response = see_other(f"/sign-in?next={quote(_local_path(target, request))}")
    if request.headers.get("hx-request"):
        response.headers["HX-Redirect"] = response.headers["location"]
    return response


async def two_factor_required(request: Request, _exc: Exception) -> Response:
    """A moderator, negotiator or admin without two-factor: say why, and where to fix it."""
    return render(request, "errors/two_factor_required.html", {"status": 403}, status_code=403)


def _local_path(target: str, request: Request) -> str:
    base = str(request.base_url).rstrip("/")
    return target[len(base) :] or "/" if target.startswith(base) else (target if target.startswith("/") else "/")


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return await http_error(request, exc)


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    SignInRequired: sign_in_required,
    TwoFactorRequired: two_factor_required,
    500: server_error,
}
