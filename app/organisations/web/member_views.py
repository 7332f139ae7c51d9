"""Membership pages: asking to join, the admins' members page, invitations, leaving."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.tokens import TokenError
from app.i18n import _
from app.mail.services import send_pending
from app.organisations import membership
from app.organisations.invitations import accept_invitation, check_invitation, invite
from app.organisations.joining import has_admin
from app.organisations.services import OrganisationError, members
from app.organisations.web import forms
from app.organisations.web.profile_page import organisation_from_path, profile_url, render_profile
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def request_to_join(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.REQUEST_TO_JOIN, organisation)
    state = FormState(values=text_values(await request.form(), "message"))
    try:
        await membership.request_to_join(db_of(request), organisation, signed_in_user(request), state.values["message"])
    except OrganisationError as error:
        state.error(error.field, error.message)
        return await render_profile(request, organisation, form=state, status_code=422)
    answered_by_admins = await has_admin(db_of(request), organisation.id)
    await db_of(request).commit()
    response = see_other(profile_url(organisation))
    sent = (
        _("Your request is sent. The organisation's admins will answer it.")
        if answered_by_admins
        else _("Your request is sent. The organisation has no admin, so a moderator will answer it.")
    )
    flash(request, response, sent)
    return response


async def members_page(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.MANAGE_MEMBERS, organisation)
    return await _render_members(request, organisation.id, FormState())


async def _render_members(request: Request, organisation_id: int, form: FormState, status_code: int = 200) -> Response:
    db = db_of(request)
    organisation = await organisation_from_path(request)
    context = {
        "organisation": organisation,
        "members": await members(db, organisation),
        "requests": await membership.pending_requests(db, organisation),
        "form": form,
    }
    return render(request, "organisations/members.html", context, status_code=status_code)


async def decide_request(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.MANAGE_MEMBERS, organisation)
    values = text_values(await request.form(), "request_id", "action")
    return await _member_change(
        request,
        membership.decide_request(
            db_of(request),
            organisation,
            _number(values["request_id"]),
            admin=signed_in_user(request),
            approve=values["action"] == "approve",
        ),
        _("The request is approved.") if values["action"] == "approve" else _("The request is declined."),
    )


async def make_admin(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.MANAGE_MEMBERS, organisation)
    user_id = _number(text_values(await request.form(), "user_id")["user_id"])
    change = membership.make_admin(db_of(request), organisation, user_id, admin=signed_in_user(request))
    return await _member_change(request, change, _("The member is now an admin."))


async def remove_member(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.MANAGE_MEMBERS, organisation)
    user_id = _number(text_values(await request.form(), "user_id")["user_id"])
    change = membership.remove_member(db_of(request), organisation, user_id, admin=signed_in_user(request))
    return await _member_change(request, change, _("The member is removed."))


async def _member_change(request: Request, change, done: str) -> Response:  # type: ignore[no-untyped-def]
    """Run a change on the members page: redirect with `done`, or show the error there."""
    organisation_id = request.path_params["organisation_id"]
    try:
        await change
    except OrganisationError as error:  # raised before anything changed
        state = FormState()
        state.error(error.field, error.message)
        return await _render_members(request, organisation_id, state, status_code=422)
    await db_of(request).commit()
    response = see_other(path_for("organisation_members", organisation_id=organisation_id))
    flash(request, response, done)
    return response


def _number(value: str) -> int:
    return parse_id(value) or 0


async def send_invitation(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.MANAGE_MEMBERS, organisation)
    state = forms.parse_invitation(await request.form())
    if not state.is_valid:
        return await _render_members(request, organisation.id, state, status_code=422)
    db, settings = db_of(request), request.app.state.settings
    email = state.values["email"]
    await invite(db, organisation, inviter=signed_in_user(request), email=email, base_url=settings.base_url)
    await db.commit()
    await send_pending(db, settings)
    response = see_other(path_for("organisation_members", organisation_id=organisation.id))
    flash(request, response, _("The invitation is sent to %(email)s.", email=email.strip().lower()))
    return response


async def invitation(request: Request) -> Response:
    """GET shows a button (mail scanners follow links; only a person's POST changes anything)."""
    db = db_of(request)
    if request.method == "GET":
        token = request.query_params.get("token", "")
        try:
            found = await check_invitation(db, token)
        except TokenError as error:
            return _render_invitation(request, "", None, error.message, status_code=400)
        return _render_invitation(request, token, found.email, "")
    require(identity_of(request), Permission.MANAGE_OWN_ACCOUNT)
    token = text_values(await request.form(), "token")["token"]
    try:
        organisation = await accept_invitation(db, token, signed_in_user(request))
    except TokenError as error:
        return _render_invitation(request, "", None, error.message, status_code=400)
    await db.commit()
    response = see_other(profile_url(organisation))
    flash(request, response, _("You are now a member of %(organisation)s.", organisation=organisation.name))
    return response


def _render_invitation(
    request: Request, token: str, email: str | None, problem: str, *, status_code: int = 200
) -> Response:
    context = {"token": token, "email": email, "problem": problem}
    return render(request, "organisations/invitation.html", context, status_code=status_code)


async def leave(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.LEAVE_ORGANISATION, organisation)
    try:
        await membership.leave(db_of(request), organisation, signed_in_user(request))
    except OrganisationError as error:
        state = FormState()
        state.error(error.field, error.message)
        return await render_profile(request, organisation, form=state, status_code=422)
    await db_of(request).commit()
    response = see_other(profile_url(organisation))
    flash(request, response, _("You have left %(organisation)s.", organisation=organisation.name))
    return response
