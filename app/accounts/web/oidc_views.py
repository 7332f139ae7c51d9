"""Sign in with an OpenID Connect provider: start, come back, and complete the profile."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts import oidc
from app.accounts.current import signed_in_user
from app.accounts.oidc_accounts import OidcAccountError, sign_in_with_oidc
from app.accounts.services import AccountError
from app.accounts.signin import complete_sign_in
from app.accounts.web import organisation_choice as choosing
from app.accounts.web.forms import parse_organisation_choice
from app.i18n import _
from app.organisations.joining import Joined, join_chosen
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import safe_next, see_other

logger = logging.getLogger(__name__)


async def login(request: Request) -> Response:
    """A GET may start the dance: it changes nothing of ours but the dance cookie."""
    # Imported here, not at start-up: Authlib is only needed by this sign-in (see oidc_dance).
    from app.accounts import oidc_dance

    try:
        return await oidc_dance.authorization_redirect(
            request, request.path_params["name"], request.query_params.get("next", "")
        )
    except oidc.UnknownProvider:
        raise HTTPException(status_code=404) from None
    except oidc.OidcError as error:
        return _failure_page(request, error)


async def callback(request: Request) -> Response:
    from app.accounts import oidc_dance  # on first use, as in login

    db = db_of(request)
    try:
        claims = await oidc_dance.complete(request, request.path_params["name"])
        provider = oidc.provider_named(request.app.state.settings, claims.provider)
        result = await sign_in_with_oidc(db, claims, provider_label=provider.label)
    except oidc.UnknownProvider:
        raise HTTPException(status_code=404) from None
    except (oidc.OidcError, OidcAccountError) as error:  # raised before anything is written
        return _failure_page(request, error)
    next_url = oidc.next_url(request)
    if result.needs_organisation:
        next_url = f"{path_for('complete_profile')}?next={quote(next_url)}"
    message = _("Welcome, your account is ready.") if result.created else _("You are signed in.")
    return await complete_sign_in(request, result.user, message, next_url)


def _failure_page(request: Request, error: oidc.OidcError | OidcAccountError) -> Response:
    logger.info("OpenID Connect sign-in failed: %r", error)
    return render(
        request,
        "accounts/oidc_error.html",
        {"title": error.title, "explanation": error.message, "offer_sign_up": isinstance(error, OidcAccountError)},
        status_code=error.status_code,
    )


async def complete_profile(request: Request) -> Response:
    """A person who signed up through a provider chooses or registers their organisation."""
    require(identity_of(request), Permission.MANAGE_OWN_ACCOUNT)
    if request.method == "GET":
        return await _render_profile(request, choosing.query_state(request))
    form = await request.form()
    if choosing.wants_search(form):  # nothing is written: the page again, with what was found
        return await _render_profile(request, choosing.search_state(form))
    state = FormState(values=text_values(form, *choosing.CHOICE_FIELDS))
    organisation_id, new_organisation = parse_organisation_choice(state)
    if state.is_valid:
        try:
            joined = await join_chosen(
                db_of(request),
                signed_in_user(request),
                organisation_id=organisation_id,
                new_organisation=new_organisation,
            )
        except AccountError as error:
            state.error(error.field, error.message)
        else:
            await db_of(request).commit()
            response = see_other(safe_next(state.values["next"]))
            flash(request, response, _profile_saved(joined))
            return response
    return await _render_profile(request, state, status_code=422)  # nothing was written


def _profile_saved(joined: Joined | None) -> str:
    if joined is None:
        return _("You speak for yourself. To speak for an organisation, ask to join it on its page.")
    if joined.member:
        return _("Your organisation is saved.")
    return _(
        "Your request to join %(organisation)s is sent; until it is approved you speak for yourself.",
        organisation=joined.organisation.name,
    )


async def _render_profile(request: Request, state: FormState, status_code: int = 200) -> Response:
    choices = await choosing.organisation_choices(request, state, path_for("complete_profile"))
    return choosing.render_choices(request, "accounts/complete_profile.html", state, choices, status_code=status_code)
