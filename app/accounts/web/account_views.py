"""A person's own account page: their address, changing it, signing out everywhere."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import account_holder
from app.accounts.email_change import confirm_email_change, request_email_change
from app.accounts.models import User
from app.accounts.services import AccountError
from app.accounts.sessions import end_all_sessions
from app.accounts.signin import signed_out_redirect
from app.accounts.tokens import TokenError
from app.i18n import _
from app.mail.services import send_pending
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def account(request: Request) -> Response:
    return _render_account(request, account_holder(request), FormState())


def _render_account(request: Request, user: User, form: FormState, status_code: int = 200) -> Response:
    return render(request, "accounts/account.html", {"user": user, "form": form}, status_code=status_code)


async def change_email(request: Request) -> Response:
    user = account_holder(request)
    form = await request.form()
    state = FormState(values=text_values(form, "new_email", "password"))
    db = db_of(request)
    settings = request.app.state.settings
    try:
        new_email = await request_email_change(
            db, user, state.values["new_email"], state.values["password"], base_url=settings.base_url
        )
    except AccountError as error:
        state.error(error.field, error.message)
        state.values["password"] = ""
        return _render_account(request, user, state, status_code=422)
    await db.commit()
    await send_pending(db, settings)
    response = see_other(path_for("account"))
    flash(request, response, _("We sent a link to %(email)s. Open it to confirm your new address.", email=new_email))
    return response


async def confirm_email(request: Request) -> Response:
    """GET shows a button (mail scanners follow links; only a person's POST changes anything)."""
    db = db_of(request)
    if request.method == "GET":
        context = {"token": request.query_params.get("token", ""), "problem": ""}
        return render(request, "accounts/account_email_confirm.html", context)
    token = text_values(await request.form(), "token")["token"]
    try:
        user = await confirm_email_change(db, token)
    except (TokenError, AccountError) as error:
        return render(
            request, "accounts/account_email_confirm.html", {"token": "", "problem": error.message}, status_code=400
        )
    await db.commit()
    signed_in = identity_of(request).user
    response = see_other(path_for("account" if signed_in is not None and signed_in.id == user.id else "sign_in"))
    flash(request, response, _("Your email address is now %(email)s.", email=user.email))
    return response


async def sign_out_everywhere(request: Request) -> Response:
    user = account_holder(request)
    db = db_of(request)
    await end_all_sessions(db, user.id)
    await db.commit()
    return signed_out_redirect(request, _("You are signed out on every device, including this one."))
