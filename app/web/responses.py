"""Redirects that are safe to follow."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def see_other(url: str) -> RedirectResponse:
    """After a POST, send the browser to a page it can reload safely."""
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths, so a crafted link cannot bounce people elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def set_private_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int) -> None:
    """Every cookie the site sets is HttpOnly, SameSite=Lax, and Secure behind https."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=request.app.state.settings.secure_cookies
    )
