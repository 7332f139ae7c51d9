"""Sign-in through OpenID Connect providers, with Authlib behind a small interface:
providers(settings) here, authorization_redirect(request, name, next_url) and
complete(request, name) in app.accounts.oidc_dance, the only module that imports Authlib
(so workers load it on the first such sign-in, not at start-up).

Authlib checks what makes the sign-in trustworthy: discovery, the authorization code flow
with PKCE (S256), `state` against the browser that started the dance, and, because the
`openid` scope is asked for, the ID token: its signature against the provider's published
keys (JWKS), issuer, audience, expiry and `nonce` (StarletteOAuth2App.authorize_access_token
calls parse_id_token; tests/functional/test_oidc_sign_in.py proves a forged or tampered ID
token is refused). Email and name come from the UserInfo endpoint, whose `sub` must match.

Where the dance keeps its state: Authlib's Starlette client stores state, nonce, PKCE
verifier and redirect URI in `request.session`. We give it Starlette's SessionMiddleware
with its own cookie (`rt_oidc`), limited to /auth/oidc, signed, ten minutes, SameSite=Lax
(the provider sends the browser back with a top-level GET, which Lax allows). That is
per-browser state for a few seconds, not server memory, so any worker can finish a dance
another started; our own sign-in sessions stay server-side. Writing our own storage would
mean re-implementing a signed cookie for a dict, and Authlib's session keys, for nothing.
The only process memory is Authlib's cache of each provider's discovery document and keys.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from app.i18n import _
from app.settings import OidcProvider, Settings
from app.urls import path_for
from app.web.responses import safe_next

DANCE_COOKIE = "rt_oidc"
DANCE_PATH = "/auth/oidc"
DANCE_MAX_AGE_SECONDS = 10 * 60
NEXT_KEY = "rt_next"
SCOPE = "openid email profile"


class UnknownProvider(LookupError):
    """No provider of that name is configured (the page is a 404)."""


class OidcFailure(enum.Enum):
    """Why a sign-in through a provider did not go through; each has its own page."""

    EXPIRED = "expired"  #: state missing or unknown: an old, replayed or foreign callback
    CANCELLED = "cancelled"  #: the person declined at the provider (error=access_denied)
    REFUSED = "refused"  #: the provider answered with an error (e.g. a code already used)
    UNAVAILABLE = "unavailable"  #: the provider could not be reached or answered nonsense
    UNPROVEN = "unproven"  #: the ID token failed its checks (signature, issuer, nonce, ...)


STATUS_CODES = {
    OidcFailure.EXPIRED: 400,
    OidcFailure.CANCELLED: 400,
    OidcFailure.REFUSED: 400,
    OidcFailure.UNAVAILABLE: 502,
    OidcFailure.UNPROVEN: 400,
}


class OidcError(Exception):
    """A failed dance; `title` and `message` are for the person, `detail` for the log."""

    def __init__(self, failure: OidcFailure, provider: OidcProvider, detail: str = "") -> None:
        super().__init__(f"{provider.name}: {failure.value}: {detail}")
        self.failure = failure
        self.provider = provider
        self.status_code = STATUS_CODES[failure]

    @property
    def title(self) -> str:
        return _("Signing in with %(provider)s did not work", provider=self.provider.label)

    @property
    def message(self) -> str:
        label = self.provider.label
        messages = {
            OidcFailure.EXPIRED: _("This sign-in has expired or was already used. Please start again."),
            OidcFailure.CANCELLED: _("You cancelled signing in at %(provider)s. Nothing was changed.", provider=label),
            OidcFailure.REFUSED: _("%(provider)s refused the sign-in. Please start again.", provider=label),
            OidcFailure.UNAVAILABLE: _(
                "%(provider)s cannot be reached at the moment. Please try again in a few minutes.", provider=label
            ),
            OidcFailure.UNPROVEN: _(
                "We could not confirm the answer really came from %(provider)s, so you were not signed in.",
                provider=label,
            ),
        }
        return messages[self.failure]


@dataclass(frozen=True)
class OidcClaims:
    """Who the provider says the person is."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def providers(settings: Settings) -> tuple[OidcProvider, ...]:
    return settings.oidc_providers


def provider_named(settings: Settings, name: str) -> OidcProvider:
    for provider in providers(settings):
        if provider.name == name:
            return provider
    raise UnknownProvider(name)


def providers_for(request: Request) -> tuple[OidcProvider, ...]:
    """Template global: the sign-in buttons of the app serving this request."""
    return providers(request.app.state.settings)


def redirect_uri(settings: Settings, provider: OidcProvider) -> str:
    return settings.base_url + path_for("oidc_callback", name=provider.name)


def dance_middleware(settings: Settings) -> list[Middleware]:
    """The short-lived signed cookie Authlib keeps the dance in; none without providers."""
    if not providers(settings):
        return []
    key = hmac.new(str(settings.secret_key).encode(), b"roundtable.oidc-dance", hashlib.sha256).hexdigest()
    return [
        Middleware(
            SessionMiddleware,
            secret_key=key,
            session_cookie=DANCE_COOKIE,
            max_age=DANCE_MAX_AGE_SECONDS,
            path=DANCE_PATH,
            same_site="lax",
            https_only=settings.secure_cookies,
        )
    ]


def claims_of(provider: OidcProvider, id_claims: dict[str, Any], userinfo: dict[str, Any]) -> OidcClaims:
    """OIDC Core 5.3.2: UserInfo's `sub` must be the ID token's, or the answer is not about this person."""
    subject = id_claims.get("sub")
    if not subject or userinfo.get("sub") != subject:
        raise OidcError(OidcFailure.UNPROVEN, provider, "UserInfo sub does not match the ID token")
    merged = {**id_claims, **userinfo}
    email = merged.get("email")
    return OidcClaims(
        provider=provider.name,
        subject=str(subject),
        email=email if isinstance(email, str) and email.strip() else None,
        # Some providers send the string "true"; anything else is not a promise.
        email_verified=merged.get("email_verified") in (True, "true"),
        name=merged.get("name") if isinstance(merged.get("name"), str) else None,
    )


def next_url(request: Request) -> str:
    """Where the person was going when they chose to sign in (a local path)."""
    return safe_next(request.session.pop(NEXT_KEY, None))


TEMPLATE_GLOBALS = {"oidc_providers": providers_for}
