"""CSRF protection: a per-browser token in an HttpOnly cookie that every unsafe request
must echo back (form field or header), plus an Origin check when the browser sends one and
a Sec-Fetch-Site check when it sends that (docs/decisions/0012).

The cookie is set only by a response whose page shows the token (a form, or a signed-in
page's htmx headers): a reading page for someone not signed in shows none and sets no
cookie, so it is the same for every reader and a shared cache may keep it.

Pure ASGI, because the form body has to be read before the app and then replayed."""

from __future__ import annotations

import base64
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from markupsafe import escape
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "rt_csrf"
FORM_FIELD = "csrf_token"
HEADER_NAME = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Request state: the browser's token, and whether the response shows it (PageToken).
STATE_TOKEN = "csrf_token"  # noqa: S105 - the name of a request-state entry, not a secret
STATE_SHOWN = "csrf_token_shown"
#: Room for a form's fields; a form may also carry one attachment (settings.attachment_max_bytes).
MAX_FORM_BYTES = 2 * 1024 * 1024
#: The detail of the 400 for a form the parser could not read (Starlette's own carry theirs).
UNREADABLE_FORM = "The form could not be parsed."


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, *, secure: bool = False, trusted_origin: str | None = None) -> None:
        self.app = app
        self.secure = secure
        #: The public address (BASE_URL); behind a proxy the Host header may differ from it.
        self.trusted_host = urlsplit(trusted_origin).netloc if trusted_origin else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie_token = _cookie_token(headers)
        token = cookie_token or secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state[STATE_TOKEN] = token
        state[STATE_SHOWN] = False
        if scope["method"] not in SAFE_METHODS:
            try:
                body = await _read_body(receive, _body_limit(scope))
            except _TooLarge:
                # app.web.errors.ErrorPageMiddleware answers with the page that states the limits.
                raise HTTPException(status_code=413) from None
            if body is None or not await self._request_is_genuine(scope, headers, body, cookie_token):
                await _reject(scope, receive, send)
                return
            receive = _replay(body, then=receive)
        sender = send if cookie_token is not None else self._sender(send, state=state, token=token)
        await self.app(scope, receive, sender)

    def _sender(self, send: Send, *, state: dict[str, object], token: str) -> Send:
        """Set the cookie with the response, if its page showed the token (it is rendered
        before the response starts)."""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get(STATE_SHOWN):
                attributes = f"{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    attributes += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", attributes.encode("latin-1")))
            await send(message)

        return send_with_cookie

    async def _request_is_genuine(self, scope: Scope, headers: Headers, body: bytes, expected: str | None) -> bool:
        if expected is None or not self._same_origin(headers):
            return False
        form = await _readable_form(scope, body)
        submitted = headers.get(HEADER_NAME)
        if submitted is None:
            value = form.get(FORM_FIELD)
            submitted = value if isinstance(value, str) else None
        await form.close()
        return submitted is not None and hmac.compare_digest(unmasked(submitted), expected)

    def _same_origin(self, headers: Headers) -> bool:
        # Browsers since 2020-2023 say where a request comes from; "cross-site" is another
        # site's page, whatever token it may have got hold of.
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = headers.get("origin")
        if origin is None:  # older browsers and non-browser clients; the token still decides
            return True
        return urlsplit(origin).netloc in {headers.get("host", ""), self.trusted_host}


class PageToken:
    """The browser's token as a page shows it (templates get this, not the string): showing
    it marks the response as carrying a per-browser value, so the response sets the cookie
    (app.security.csrf) and no shared cache keeps it (app.web.cache_policy)."""

    __slots__ = ("_state",)

    def __init__(self, state: dict[str, object]) -> None:
        self._state = state

    def __str__(self) -> str:
        self._state[STATE_SHOWN] = True
        return masked(str(self._state.get(STATE_TOKEN, "")))

    def __html__(self) -> str:
        # The token may come from the browser's cookie: escaped like any value from outside.
        return str(escape(str(self)))


def masked(token: str) -> str:
    """The token as a page shows it: XORed with a fresh random mask that travels with it, so
    it is different in every response. Pages are compressed (app.web.compression), and some
    also echo text from the request; a secret that stayed the same in each could be guessed
    from the compressed sizes, a character at a time (BREACH). The cookie keeps the token
    itself; `unmasked` undoes this."""
    raw = token.encode()
    mask = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(mask + bytes(a ^ b for a, b in zip(mask, raw, strict=True))).decode()


def unmasked(submitted: str) -> str:
    """The token a submitted value stands for: a masked one undone, anything else as it came
    (a client that read the cookie itself sends the token as it is)."""
    try:
        data = base64.urlsafe_b64decode(submitted.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return submitted
    half = len(data) // 2
    if len(submitted) < 64 or len(data) % 2:
        return submitted
    mask, hidden = data[:half], data[half:]
    try:
        return bytes(a ^ b for a, b in zip(mask, hidden, strict=True)).decode("ascii")
    except UnicodeDecodeError:
        return submitted


def token_shown(state: dict[str, object]) -> bool:
    """Whether the response's page carries the browser's token."""
    return bool(state.get(STATE_SHOWN))


def _cookie_token(headers: Headers) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:
        return None
    morsel = cookie.get(COOKIE_NAME)
    return morsel.value if morsel and len(morsel.value) >= 32 else None


def _body_limit(scope: Scope) -> int:
    """The fields plus one attachment; the app's settings say how large an attachment may be."""
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return MAX_FORM_BYTES + int(getattr(settings, "attachment_max_bytes", 0))


class _TooLarge(Exception):
    """The body is larger than any form of this site may be."""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _readable_form(scope: Scope, body: bytes) -> FormData:
    """The form, read here for every unsafe request, so that a body the parser cannot read is
    refused with the site's 400 page (app.web.errors) before any view reads it: besides its
    own errors (400, with their detail), the multipart parser fails on some malformed bodies
    with a KeyError or a decoding error."""
    try:
        return await Request(scope, _replay(body)).form()
    except HTTPException:
        raise
    except Exception as error:  # any failure to parse is a form we cannot read
        raise HTTPException(status_code=400, detail=UNREADABLE_FORM) from error


def _replay(body: bytes, *, then: Receive | None = None) -> Receive:
    """The body read already, then what the client sends next (`then`): a streamed answer
    listens for the client's disconnect, which must be the real one, not an instant one."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then() if then is not None else {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _reject(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(
        "This form has expired or did not come from this site. Go back, reload the page and "
        "submit again; your text is still in the form.",
        status_code=403,
    )
    await response(scope, receive, send)
