"""The header's count of what waits in the moderation queue, for moderators' pages."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.moderation.queue import waiting_count
from app.security.permissions import Permission
from app.security.policy import permits


class WaitingCountMiddleware:
    """Puts `moderation_waiting` in request state for moderators' full pages (one count on a
    partial index); everyone else's requests and htmx swaps, which have no header, skip it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        identity = state.get("identity")
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and identity is not None
            and identity.is_authenticated
            and permits(identity, Permission.MODERATE)
            and (b"hx-request", b"true") not in scope["headers"]
        ):
            state["moderation_waiting"] = await waiting_count(state["db"])
        await self.app(scope, receive, send)
