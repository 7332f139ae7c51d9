"""Who may keep a copy of a response: one policy for the whole site (issue 10,
docs/decisions/0012).

- A reading page (SHARED_WHEN_ANONYMOUS) for someone not signed in, that carries nothing of
  one browser's (no CSRF token, no one-time message, no cookie set, not an htmx fragment):
  `public, max-age=0, s-maxage=1`. A shared cache (nginx, deploy/) may serve it for one
  second to every reader; a browser revalidates it each time (ETag, Last-Modified: 304).
  nginx counts whole seconds and keeps a copy through the second its lifetime ends in, so
  "one second" would be up to two there: `X-Accel-Expires` (read by nginx only, which does
  not pass it on) says "until the end of this second" instead.
- Signed-in pages, htmx fragments, responses that set a cookie or show a one-time message,
  and anything but GET or HEAD: `private, no-store`. They are personal, partial or one-time:
  no cache, not even the browser's on a shared computer, should keep them.
- Anything else keeps what its view said, or gets `private, no-cache`: the browser may keep
  it but asks again each time.

Applied by route name, in one middleware outside the CSRF and flash middlewares, so it sees
every cookie the response sets and whether its page showed the browser's token."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.csrf import token_shown

#: Reading pages that are the same for every reader who is not signed in.
SHARED_WHEN_ANONYMOUS = frozenset(
    {
        "home",
        "consultation",
        "roundtable",
        "key_message",
        "thread",
        "amendments",
        "passage",
        "topics",
        "topic",
        "contribution_history",
        "consultation_feed",
        "key_message_feed",
        "topic_feed",
        "privacy_notice",
        "moderation_log",
        "moderation_figures",
        "what_we_heard",
    }
)
#: Every reader, and any cache between: one second in a shared cache, revalidated by browsers.
SHARED = "public, max-age=0, s-maxage=1"
#: One person's, a fragment, or one-time: kept nowhere.
PERSONAL = "private, no-store"
#: The browser may keep it, and revalidates it before each use.
PRIVATE = "private, no-cache"
#: What a shared page's content depends on besides its address: the session, flash and
#: language cookies (signed in or not, a one-time message, a chosen language), htmx's header
#: (a fragment or the page) and the browser's languages (app.web.language).
SHARED_VARY = ("HX-Request", "Cookie", "Accept-Language")
SAFE_METHODS = frozenset({"GET", "HEAD"})
#: The route of the static files.
STATIC = "static"


@dataclass(frozen=True, slots=True)
class ResponseFacts:
    """What decides who may keep a response."""

    method: str
    route: str | None
    status: int
    signed_in: bool
    htmx: bool
    sets_cookie: bool
    shows_flash: bool
    shows_token: bool
    #: The Cache-Control its view chose (attachments, exports, error pages), if any.
    chosen: str | None = None


def cache_control(facts: ResponseFacts) -> str:
    if is_personal(facts):
        return PERSONAL
    if is_shared(facts):
        return SHARED
    return facts.chosen or PRIVATE


def is_personal(facts: ResponseFacts) -> bool:
    return facts.method not in SAFE_METHODS or facts.signed_in or facts.htmx or facts.sets_cookie or facts.shows_flash


def is_shared(facts: ResponseFacts) -> bool:
    return (
        facts.route in SHARED_WHEN_ANONYMOUS
        and facts.status in {200, 304}
        and facts.chosen is None
        and not facts.shows_token
        and not is_personal(facts)
    )


class CachePolicyMiddleware:
    """Sets Cache-Control (and, on shared responses, Vary) as the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            # Static files keep their own validators and headers (nginx serves them anyway).
            if message["type"] == "http.response.start" and _route_name(scope) != STATIC:
                headers = MutableHeaders(scope=message)
                policy = cache_control(_facts(scope, message["status"], headers))
                headers["cache-control"] = policy
                if policy == SHARED:
                    _vary_on(headers, SHARED_VARY)
                    headers["x-accel-expires"] = f"@{int(time.time())}"
            await send(message)

        await self.app(scope, receive, send_with_policy)


def _facts(scope: Scope, status: int, headers: MutableHeaders) -> ResponseFacts:
    state = scope.get("state", {})
    identity = state.get("identity")
    return ResponseFacts(
        method=scope["method"],
        route=_route_name(scope),
        status=status,
        signed_in=bool(identity and identity.is_authenticated),
        # Any htmx request, history restores included: a fragment and a page share an address.
        htmx=Headers(scope=scope).get("hx-request") is not None,
        sets_cookie="set-cookie" in headers,
        shows_flash=bool(state.get("flash_messages")),
        shows_token=token_shown(state),
        chosen=headers.get("cache-control"),
    )


def _route_name(scope: Scope) -> str | None:
    """The name of the route that answered (Starlette's router notes it), if any did."""
    return getattr(scope.get("route"), "name", None)


def _vary_on(headers: MutableHeaders, names: tuple[str, ...]) -> None:
    present = [name.strip() for name in headers.get("vary", "").split(",") if name.strip()]
    missing = [name for name in names if name.lower() not in {p.lower() for p in present}]
    headers["vary"] = ", ".join([*present, *missing])
