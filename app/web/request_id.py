"""Every request has an id that follows it through the logs (issue 14): the one nginx sends
(`X-Request-ID: $request_id`, deploy/nginx.conf), so its access log and ours join up, or a new
one; the response carries it back, so a person reporting a problem can quote it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
#: What is taken from the header: nginx's 32 hex digits, or any id of this shape; anything
#: else (a line break, a megabyte) is replaced, so no client can write into the logs.
ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def request_id_from(value: str | None) -> str:
    return value if value is not None and ACCEPTED.fullmatch(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI and outermost: every log line of the request, uvicorn's access line included
    (it is written as the response starts, inside this context), carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(HEADER))
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
