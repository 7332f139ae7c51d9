"""Sign up, sign in, sign out."""

from __future__ import annotations

import math

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import rollback
from app.accounts.models import User
from app.accounts.services import AccountError, SignInResult, authenticate, normalise_email
from app.accounts.sessions import SESSION_COOKIE, end_session
from app.accounts.sign_in_audit import record_sign_in_attempt
from app.accounts.signin import complete_sign_in, signed_out_redirect
from app.accounts.verification import send_account_exists_notice, send_verification
from app.accounts.web import forms
from app.accounts.web import organisation_choice as choosing
from app.i18n import _, ngettext
from app.mail.services import send_pending
from app.organisations import joining
from app.templating import render
from app.urls import path_for
from app.web.bot_guard import passes_as_human
from app.web.flash import flash
from app.web.forms import FormState
from app.web.requests import client_address, db_of
from app.web.responses import safe_next, see_other


async def sign_up(request: Request) -> Response:
    db = db_of(request)
    if request.method == "GET":
        return await _render_sign_up(request, choosing.query_state(request))
    form = await request.form()
    if choosing.wants_search(form):  # nothing is written: the page again, with what was found
        return await _render_sign_up(request, choosing.search_state(form, "display_name", "email"))
    state, data = forms.parse_sign_up(form)
    if not passes_as_human(request, form, state, form_name="sign_up"):
        return await _render_sign_up(request, state, status_code=422)  # nothing was written
    if data is not None:
        try:
            user = await joining.sign_up(
                db,
                display_name=data.display_name,
                email=data.email,
                password=data.password,
                organisation_id=data.organisation_id,
                new_organisation=data.new_organisation,
            )
        except AccountError as error:
            state.error(error.field, error.message)
        else:
            return await _check_your_mail(request, user, normalise_email(data.email), state.values["next"])
    await rollback(request)  # an organisation registered on the way is not kept
    return await _render_sign_up(request, state, status_code=422)


async def _check_your_mail(request: Request, user: User | None, email: str, next_url: str) -> Response:
    """The same answer whether the address is new (a link to confirm it, which signs the
    person in) or already has an account (its owner gets a note instead): nobody learns
    from sign-up whether an address has an account. The mail goes after the response."""
    db, settings = db_of(request), request.app.state.settings
    if user is not None:
        await send_verification(db, user, base_url=settings.base_url, next_url=safe_next(next_url, ""))
    else:
        await send_account_exists_notice(db, email, base_url=settings.base_url)
    await db.commit()
    response = see_other(path_for("sign_up_check_mail"))
    flash(request, response, _("We sent a message to %(email)s: open the link in it.", email=email))
    response.background = BackgroundTask(send_pending, db, settings)
    return response


async def check_your_mail(request: Request) -> Response:
    return render(request, "accounts/check_your_mail.html", {})


async def _render_sign_up(request: Request, state: FormState, status_code: int = 200) -> Response:
    choices = await choosing.organisation_choices(request, state, path_for("sign_up"))
    return choosing.render_choices(request, "accounts/sign_up.html", state, choices, status_code=status_code)


async def sign_in(request: Request) -> Response:
    if request.method == "GET":
        return render(
            request, "accounts/sign_in.html", {"form": FormState(values={"next": request.query_params.get("next", "")})}
        )
    db = db_of(request)
    settings = request.app.state.settings
    state, credentials = forms.parse_sign_in(await request.form())
    if credentials is not None:
        result = await authenticate(
            db,
            *credentials,
            max_failures=settings.sign_in_max_failures,
            window_seconds=settings.sign_in_window_seconds,
            address=client_address(request),
        )
        await record_sign_in_attempt(
            db, credentials[0], result.user, throttled=result.throttled, address=client_address(request)
        )
        await db.commit()  # failures must be recorded even though the request is refused
        if result.user is not None:
            return await complete_sign_in(request, result.user, _("You are signed in."), state.values["next"])
        state.error("email", _refusal(result))
    return render(request, "accounts/sign_in.html", {"form": state}, status_code=422)


def _refusal(result: SignInResult) -> str:
    """Why a sign-in failed; a throttled person learns how long to wait, and that a reset
    link (which signs them in) works at once."""
    if not result.throttled:
        return _("The email address or password is not right.")
    return _(
        "Too many failed attempts from your network. Wait %(wait)s and try again, or reset your password.",
        wait=wait_text(result.retry_after),
    )


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    return ngettext("%(num)s minute", "%(num)s minutes", math.ceil(seconds / 60))


async def sign_out(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await end_session(db_of(request), token)
        await db_of(request).commit()
    return signed_out_redirect(request, _("You are signed out."))
