"""Administration pages: people and their roles, and the audit log."""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.models import User
from app.admin.audit_log import AuditFilter, audit_page
from app.admin.services import (
    GRANTABLE_ROLES,
    AdminChangeError,
    find_people,
    grant_role,
    grantable_role,
    person_with_roles,
    revoke_role,
)
from app.audit.labels import tag_choices
from app.audit.services import TAGS, events_about
from app.i18n import _
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, query_text, text_values
from app.web.numbers import parse_id
from app.web.requests import client_address, db_of, identity_of
from app.web.responses import see_other


async def people(request: Request) -> Response:
    require(identity_of(request), Permission.MANAGE_ROLES)
    query = query_text(request.query_params, "q")
    page = await find_people(db_of(request), query, after=query_text(request.query_params, "after") or None)
    return render(request, "admin/people.html", {"query": query, "page": page})


async def person(request: Request) -> Response:
    require(identity_of(request), Permission.MANAGE_ROLES)
    found = await _person_from_path(request)
    return await _render_person(request, found, FormState(values={"action": "grant"}))


async def change_role(request: Request) -> Response:
    require(identity_of(request), Permission.MANAGE_ROLES)
    found = await _person_from_path(request)
    state = FormState(values=text_values(await request.form(), "action", "role", "reason"))
    change = revoke_role if state.values["action"] == "revoke" else grant_role
    try:
        changed = await change(
            db_of(request),
            admin=signed_in_user(request),
            person=found,
            role=grantable_role(state.values["role"]),
            reason=state.values["reason"],
            address=client_address(request),
        )
    except AdminChangeError as error:
        state.error(error.field, error.message)
        return await _render_person(request, found, state, status_code=422)
    await db_of(request).commit()
    response = see_other(path_for("admin_person", user_id=found.id))
    flash(request, response, _("Roles updated.") if changed else _("Nothing changed: the roles were already so."))
    return response


async def _person_from_path(request: Request) -> User:
    found = await person_with_roles(db_of(request), request.path_params["user_id"])
    if found is None:
        raise HTTPException(status_code=404)
    return found


async def _render_person(request: Request, found: User, state: FormState, status_code: int = 200) -> Response:
    events = await events_about(db_of(request), found.id)
    context = {"person": found, "form": state, "roles": GRANTABLE_ROLES, "events": events}
    return render(request, "admin/person.html", context, status_code=status_code)


async def audit_log(request: Request) -> Response:
    require(identity_of(request), Permission.READ_AUDIT_LOG)
    state, filters = _parse_audit_filter(request)
    page = await audit_page(db_of(request), filters)
    return render(request, "admin/audit.html", {"form": state, "page": page, "tags": tag_choices()})


def _parse_audit_filter(request: Request) -> tuple[FormState, AuditFilter]:
    params = request.query_params
    state = FormState(values={name: query_text(params, name) for name in ("tag", "email", "since", "until")})
    since, until = _date(state, "since"), _date(state, "until")
    tag = state.values["tag"] if state.values["tag"] in TAGS else None
    before = params.get("before", "")
    return state, AuditFilter(
        tag=tag,
        email=state.values["email"].strip() or None,
        since=since,
        until=until,
        before_id=parse_id(before),
    )


def _date(state: FormState, name: str) -> date | None:
    if not state.values[name]:
        return None
    try:
        return date.fromisoformat(state.values[name])
    except ValueError:
        state.error(name, _("Enter a date like 2026-11-27."))
        return None
