"""The dance with an OpenID Connect provider, through Authlib's Starlette client:
authorization_redirect(request, name, next_url) and complete(request, name). What Authlib
checks, and where it keeps the dance, is told in app.accounts.oidc.

Authlib, its HTTP client and its JOSE library take several megabytes in every worker, yet
most workers never see a sign-in through a provider: only the views of that sign-in import
this module, when they first run. The rest of the site uses app.accounts.oidc, which does
not import Authlib."""

from __future__ import annotations

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from httpx2 import HTTPError
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.oidc import (
    NEXT_KEY,
    SCOPE,
    OidcClaims,
    OidcError,
    OidcFailure,
    claims_of,
    provider_named,
    redirect_uri,
)
from app.settings import OidcProvider
from app.web.responses import safe_next

PROVIDER_TIMEOUT_SECONDS = 10


def _client(request: Request, provider: OidcProvider) -> StarletteOAuth2App:
    """One Authlib registry per app (built on first use), so each keeps its providers' metadata."""
    registry: OAuth | None = getattr(request.app.state, "oidc_registry", None)
    if registry is None:
        registry = OAuth()
        request.app.state.oidc_registry = registry
    client = registry.create_client(provider.name)
    if client is None:
        client = registry.register(
            provider.name,
            server_metadata_url=provider.metadata_url,
            client_id=provider.client_id,
            client_secret=str(provider.client_secret),
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": PROVIDER_TIMEOUT_SECONDS},
        )
    return client


async def authorization_redirect(request: Request, name: str, next_url: str) -> Response:
    """Send the browser to the provider; remember where to take the person afterwards."""
    settings = request.app.state.settings
    provider = provider_named(settings, name)
    request.session[NEXT_KEY] = safe_next(next_url)
    try:
        response: Response = await _client(request, provider).authorize_redirect(
            request, redirect_uri(settings, provider)
        )
    except (HTTPError, ValueError, RuntimeError) as error:  # discovery failed
        raise OidcError(OidcFailure.UNAVAILABLE, provider, repr(error)) from error
    return response


async def complete(request: Request, name: str) -> OidcClaims:
    """Finish the dance: exchange the code, check the ID token, ask UserInfo for the rest."""
    provider = provider_named(request.app.state.settings, name)
    client = _client(request, provider)
    try:
        token = await client.authorize_access_token(request)
        id_claims = token.get("userinfo")
        if not id_claims:  # no ID token came back, so nothing was verified
            raise OidcError(OidcFailure.UNPROVEN, provider, "no ID token")
        userinfo = await client.userinfo(token=token)
    except MismatchingStateError as error:
        raise OidcError(OidcFailure.EXPIRED, provider, str(error)) from error
    except OAuthError as error:
        failure = OidcFailure.CANCELLED if error.error == "access_denied" else OidcFailure.REFUSED
        raise OidcError(failure, provider, f"{error.error}: {error.description}") from error
    except JoseError as error:
        raise OidcError(OidcFailure.UNPROVEN, provider, repr(error)) from error
    except (HTTPError, ValueError) as error:
        raise OidcError(OidcFailure.UNAVAILABLE, provider, repr(error)) from error
    return claims_of(provider, dict(id_claims), dict(userinfo))
