"""Emailed links: confirming one's address, and resetting a forgotten password."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import account_holder
from app.accounts.password_reset import request_password_reset, reset_password
from app.accounts.services import EMAIL_PATTERN, AccountError
from app.accounts.signin import complete_sign_in
from app.accounts.tokens import TokenError
from app.accounts.verification import resend_verification, verify_email
from app.i18n import _
from app.mail.services import send_pending
from app.templating import render
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import safe_next, see_other


async def verify(request: Request) -> Response:
    """GET shows a button (mail scanners follow links; only a person's POST verifies)."""
    db = db_of(request)
    if request.method == "GET":
        query = request.query_params
        context = {"token": query.get("token", ""), "next": safe_next(query.get("next", "")), "problem": ""}
        return render(request, "accounts/verify.html", context)
    values = text_values(await request.form(), "token", "next")
    try:
        user = await verify_email(db, values["token"])
    except TokenError as error:
        return render(request, "accounts/verify.html", {"token": "", "problem": error.message}, status_code=400)
    await db.commit()
    message = _("Thank you, your email address is confirmed. You can now take part.")
    signed_in = identity_of(request).user
    if signed_in is not None and signed_in.id == user.id:
        response = see_other(safe_next(values["next"]))
        flash(request, response, message)
        return response
    return await complete_sign_in(request, user, message, values["next"])


async def resend(request: Request) -> Response:
    user = account_holder(request)
    db = db_of(request)
    settings = request.app.state.settings
    sent = await resend_verification(db, user, base_url=settings.base_url)
    await db.commit()
    response = see_other(safe_next(text_values(await request.form(), "next")["next"]))
    if sent:
        await send_pending(db, settings)
        flash(request, response, _("We sent a new link to %(email)s.", email=user.email))
    elif user.email_verified_at is not None:
        flash(request, response, _("Your email address is already confirmed."))
    else:
        flash(
            request,
            response,
            _("We sent a link less than 5 minutes ago. Check your inbox and spam folder, or try again later."),
            "error",
        )
    return response


async def password_reset(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/password_reset.html", {"form": FormState()})
    state = FormState(values=text_values(await request.form(), "email"))
    if not EMAIL_PATTERN.match(state.values["email"].strip()):
        state.error("email", _("Enter an email address like name@example.org."))
        return render(request, "accounts/password_reset.html", {"form": state}, status_code=422)
    db = db_of(request)
    settings = request.app.state.settings
    await request_password_reset(db, state.values["email"], base_url=settings.base_url)
    await db.commit()
    response = render(
        request, "accounts/password_reset.html", {"form": state, "sent_to": state.values["email"].strip()}
    )
    # Sent after the response, so its timing does not tell whether the account exists.
    response.background = BackgroundTask(send_pending, db, settings)
    return response


async def password_reset_confirm(request: Request) -> Response:
    if request.method == "GET":
        state = FormState(values={"token": request.query_params.get("token", "")})
        return _render_reset_confirm(request, state)
    state = FormState(values=text_values(await request.form(), "token", "password", "password_confirm"))
    password, confirmation = state.values.pop("password"), state.values.pop("password_confirm")
    db = db_of(request)
    try:
        if password != confirmation:
            raise AccountError("password_confirm", _("The two passwords are not the same."))
        user = await reset_password(db, state.values["token"], password)
    except AccountError as error:
        state.error(error.field, error.message)
        return _render_reset_confirm(request, state, status_code=422)
    except TokenError as error:
        return _render_reset_confirm(request, state, problem=error.message, status_code=400)
    await db.commit()
    return await complete_sign_in(request, user, _("Your password is changed and every other session has ended."))


def _render_reset_confirm(request: Request, state: FormState, *, problem: str = "", status_code: int = 200) -> Response:
    context = {"form": state, "problem": problem}
    return render(request, "accounts/password_reset_confirm.html", context, status_code=status_code)
