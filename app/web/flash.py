"""One-shot messages shown after a redirect ("Your position was published"), carried in a
short-lived signed cookie so no server memory is involved."""

from __future__ import annotations

import json

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.responses import set_private_cookie

FLASH_COOKIE = "rt_flash"
MAX_AGE_SECONDS = 120
CLEAR_COOKIE = f"{FLASH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax".encode()


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="roundtable.flash")


def flash(request: Request, response: Response, message: str, category: str = "success") -> None:
    pending = [*request.scope.get("state", {}).get("flash_pending", []), [category, message]]
    request.scope["state"]["flash_pending"] = pending
    value = _serializer(request.app.state.settings.secret_key.__str__()).dumps(json.dumps(pending))
    set_private_cookie(request, response, FLASH_COOKIE, value, max_age=MAX_AGE_SECONDS)


class FlashMiddleware:
    """Reads the flash cookie into request state and clears it on the response."""

    def __init__(self, app: ASGIApp, *, secret: str) -> None:
        self.app = app
        self.serializer = _serializer(secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        raw = request.cookies.get(FLASH_COOKIE)
        messages = self._load(raw)
        scope.setdefault("state", {})["flash_messages"] = [
            {"category": category, "message": message} for category, message in messages
        ]
        if raw is None:
            await self.app(scope, receive, send)
            return

        async def send_clearing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                sets_flash = any(k == b"set-cookie" and v.startswith(FLASH_COOKIE.encode()) for k, v in headers)
                if not sets_flash:
                    headers.append((b"set-cookie", CLEAR_COOKIE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_clearing)

    def _load(self, raw: str | None) -> list[list[str]]:
        if not raw:
            return []
        try:
            return list(json.loads(self.serializer.loads(raw, max_age=MAX_AGE_SECONDS)))
        except (BadSignature, ValueError):
            return []
