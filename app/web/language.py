"""The interface language of each request: the reader's choice (a cookie set by the
language switcher, app.accounts.web.language_views), else their browser's Accept-Language,
else English. URLs stay the same in every language; responses say which one they are in."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import current_locale, negotiate

LANGUAGE_COOKIE = "rt_lang"
#: A year: a language, once chosen, is kept until changed.
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
#: Request state: the language this request is answered in.
STATE_LOCALE = "locale"


class LanguageMiddleware:
    """Pure ASGI, outermost but for the security headers: error pages are translated too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        chosen = cookie_parser(headers.get("cookie", "")).get(LANGUAGE_COOKIE)
        locale = negotiate(chosen, headers.get("accept-language"))
        scope.setdefault("state", {})[STATE_LOCALE] = locale
        token = current_locale.set(locale)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                if response_headers.get("content-type", "").startswith("text/html"):
                    response_headers["content-language"] = locale
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            current_locale.reset(token)
