"""Two-factor pages: setting it up, and the second step of signing in."""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.models import User
from app.accounts.signin import pending_sign_in, start_signed_in_session
from app.accounts.two_factor import (
    TwoFactorError,
    confirm_setup,
    grouped,
    is_enabled,
    pending_secret,
    provisioning_uri,
    qr_svg,
    unused_recovery_codes,
    verify_second_factor,
)
from app.i18n import _
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import client_address, db_of, identity_of
from app.web.responses import see_other


async def setup(request: Request) -> Response:
    require(identity_of(request), Permission.MANAGE_OWN_ACCOUNT)
    user = signed_in_user(request)
    if is_enabled(user):
        if request.method == "POST":
            return see_other(path_for("two_factor_setup"))
        left = await unused_recovery_codes(db_of(request), user)
        return render(request, "accounts/two_factor_on.html", {"recovery_codes_left": left})
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "code")
        try:
            codes = await confirm_setup(db_of(request), user, state.values["code"], address=client_address(request))
        except TwoFactorError as error:
            state.error(error.field, error.message)
        else:
            await db_of(request).commit()
            return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})
    return await _render_setup(request, user, state)


async def _render_setup(request: Request, user: User, state: FormState) -> Response:
    secret = pending_secret(user)
    await db_of(request).commit()  # the app may scan it now: it must survive a reload
    uri = provisioning_uri(user, secret)
    # Drawing the QR code takes 15 to 40 ms of CPU: in a thread, so other requests go on.
    context = {"form": state, "secret": grouped(secret), "uri": uri, "qr": await to_thread.run_sync(qr_svg, uri)}
    return render(request, "accounts/two_factor_setup.html", context, status_code=422 if state.errors else 200)


async def second_step(request: Request) -> Response:
    pending = pending_sign_in(request)
    user = await db_of(request).get(User, pending.user_id) if pending else None
    if pending is None or user is None or not user.is_active:
        response = see_other(path_for("sign_in"))
        flash(request, response, _("Your sign-in was not finished in time. Please sign in again."), "error")
        return response
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "code")
        settings = request.app.state.settings
        result = await verify_second_factor(
            db_of(request),
            user,
            state.values["code"],
            address=client_address(request),
            max_failures=settings.sign_in_max_failures,
            window_seconds=settings.sign_in_window_seconds,
        )
        if result.method is not None:
            second = result.method.value
            return await start_signed_in_session(
                request, user, _("You are signed in."), pending.next_url, second_factor=second
            )
        await db_of(request).commit()  # failures count even though the request is refused
        state.values["code"] = ""
        state.error("code", _two_factor_refusal(result.throttled))
    return render(
        request, "accounts/sign_in_two_factor.html", {"form": state}, status_code=422 if state.errors else 200
    )


def _two_factor_refusal(throttled: bool) -> str:
    if throttled:
        return _("Too many wrong codes for this account. Wait 15 minutes and try again.")
    return _("That code is not right, or was already used. Enter the code your app shows now, or a recovery code.")
