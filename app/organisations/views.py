"""Organisation pages: the public profile, editing it, and verifying it."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.labels import countries
from app.accounts.models import EcosocStatus, Organisation, OrganisationType
from app.discussion.topics import topic_named
from app.i18n import _
from app.organisations import forms
from app.organisations.membership import has_pending_request
from app.organisations.services import (
    OrganisationError,
    members,
    organisation_by_id,
    profile_topics,
    public_contributions,
    unverify,
    update_profile,
    verify,
)
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import render
from app.web.flash import flash
from app.web.forms import FormState
from app.web.requests import db_of, identity_of, signed_in_user
from app.web.responses import see_other


async def organisation_from_path(request: Request) -> Organisation:
    organisation = await organisation_by_id(db_of(request), request.path_params["organisation_id"])
    if organisation is None:
        raise HTTPException(status_code=404)
    return organisation


def profile_url(organisation: Organisation) -> str:
    return f"/organisations/{organisation.id}"


async def profile(request: Request) -> Response:
    return await render_profile(request, await organisation_from_path(request))


async def render_profile(
    request: Request, organisation: Organisation, *, form: FormState | None = None, status_code: int = 200
) -> Response:
    """The profile; `form` carries the join request or leave error to show next to its field."""
    db, identity = db_of(request), identity_of(request)
    topics = await profile_topics(db, organisation)
    chosen = topic_named(topics, request.query_params.get("topic"))
    topic = chosen.slug if chosen else None
    cursor = request.query_params.get("before")
    context: dict[str, Any] = {
        "organisation": organisation,
        "members": await members(db, organisation),
        "contributions": await public_contributions(
            db, organisation, cursor=cursor, topic=topic, page_size=request.app.state.settings.page_size
        ),
        "topic_choices": topics,
        "topic": topic,
        "form": form or FormState(),
        "may_edit": permits(identity, Permission.EDIT_ORGANISATION, organisation),
        "may_manage": permits(identity, Permission.MANAGE_MEMBERS, organisation),
        "may_verify": permits(identity, Permission.VERIFY_ORGANISATION, organisation),
        "may_join": permits(identity, Permission.REQUEST_TO_JOIN, organisation),
        "may_leave": permits(identity, Permission.LEAVE_ORGANISATION, organisation),
        "pending": identity.user is not None and await has_pending_request(db, organisation, identity.user.id),
    }
    return render(request, "organisations/profile.html", context, status_code=status_code)


async def edit(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.EDIT_ORGANISATION, organisation)
    if request.method == "GET":
        return _render_edit(request, organisation, forms.profile_form(organisation))
    db = db_of(request)
    state, data = forms.parse_profile(await request.form())
    if data is not None:
        try:
            lapsed = await update_profile(db, organisation, data, editor=signed_in_user(request))
        except OrganisationError as error:
            state.error(error.field, error.message)
        else:
            await db.commit()
            response = see_other(profile_url(organisation))
            flash(request, response, _saved(lapsed))
            return response
    return _render_edit(request, organisation, state, status_code=422)


def _saved(lapsed: bool) -> str:
    if not lapsed:
        return _("The profile is saved.")
    return _(
        "The profile is saved. You changed facts the moderators checked, so it is not verified until they check again."
    )


def _render_edit(request: Request, organisation: Organisation, form: FormState, status_code: int = 200) -> Response:
    context = {
        "organisation": organisation,
        "form": form,
        "countries": countries(),
        "organisation_types": list(OrganisationType),
        "ecosoc_statuses": list(EcosocStatus),
        "chosen_origins": set(form.values.get("origin_countries", "").split(";")),
    }
    return render(request, "organisations/edit.html", context, status_code=status_code)


async def verification(request: Request) -> Response:
    """Moderators verify an organisation, or take the badge back, with a note on how or why."""
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.VERIFY_ORGANISATION, organisation)
    if request.method == "GET":
        return _render_verify(request, organisation, FormState())
    state = forms.parse_note(await request.form())
    if not state.is_valid:
        return _render_verify(request, organisation, state, status_code=422)
    change = verify if state.values["action"] == "verify" else unverify
    await change(db_of(request), organisation, moderator=signed_in_user(request), note=state.values["note"].strip())
    await db_of(request).commit()
    response = see_other(profile_url(organisation))
    done = _("The organisation is verified.") if change is verify else _("The organisation is no longer verified.")
    flash(request, response, done)
    return response


def _render_verify(request: Request, organisation: Organisation, form: FormState, status_code: int = 200) -> Response:
    context = {"organisation": organisation, "form": form}
    return render(request, "organisations/verify.html", context, status_code=status_code)
