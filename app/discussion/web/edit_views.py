"""Authors editing and withdrawing their contributions, and the history of every version.
All per person, so none of it is cached. (A person's list of their own contributions is
app/accounts/web/contributions_views.py.)"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.services import KeyMessageInContext
from app.db import utcnow
from app.discussion.contribution_edit import (
    Changes,
    EditRefused,
    edit_contribution,
    edit_deadline,
    edit_refusal,
    version_of,
    withdraw_contribution,
    withdraw_refusal,
)
from app.discussion.edit_history import contribution_versions
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import view_of
from app.discussion.web.loaders import audience_reading, contribution_from_path
from app.i18n import _
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other

EDIT_FIELDS = ("body", "position", "amendment_text", "language", "version")


async def _own_contribution(request: Request) -> tuple[KeyMessageInContext, Contribution]:
    """The contribution in the path, for its author; others may not even learn of one that
    is not for publication (404, from the loader)."""
    found, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.EDIT_OWN_CONTRIBUTION, contribution)
    return found, contribution


def _refused(request: Request, contribution: Contribution, title: str, reason: str) -> Response:
    context = {"title": title, "reason": reason, "contribution": contribution}
    return render(request, "discussion/edit_refused.html", context, status_code=403)


def _form_of(contribution: Contribution) -> FormState:
    return FormState(
        values={
            "body": contribution.body_source,
            "position": contribution.position or "",
            "amendment_text": contribution.amendment_text or "",
            "language": contribution.language or "en",
            "version": version_of(contribution),
        }
    )


def _parse_edit(form: FormData) -> tuple[FormState, Changes]:
    state = FormState(values=text_values(form, *EDIT_FIELDS))
    values = state.values
    changes = Changes(
        body=values["body"],
        language=values["language"],
        version=values["version"],
        position=values["position"] or None,
        amendment_text=values["amendment_text"],
    )
    return state, changes


def _render_edit(
    request: Request, found: KeyMessageInContext, contribution: Contribution, form: FormState, status_code: int = 200
) -> Response:
    context: dict[str, Any] = {
        "consultation": found.consultation,
        "message": found.message,
        "contribution": contribution,
        "form": form,
        "edit_until": edit_deadline(contribution, request.app.state.settings.edit_window_minutes),
        "max_chars": request.app.state.settings.contribution_max_chars,
    }
    return render(request, "discussion/edit.html", context, status_code=status_code)


async def edit_form(request: Request) -> Response:
    found, contribution = await _own_contribution(request)
    window = request.app.state.settings.edit_window_minutes
    if (refusal := edit_refusal(contribution, found.consultation, window, utcnow())) is not None:
        return _refused(request, contribution, _("This contribution can no longer be changed"), refusal)
    return _render_edit(request, found, contribution, _form_of(contribution))


async def save_edit(request: Request) -> Response:
    found, contribution = await _own_contribution(request)
    state, changes = _parse_edit(await request.form())
    settings, db = request.app.state.settings, db_of(request)
    try:
        changed = await edit_contribution(
            db,
            contribution=contribution,
            consultation=found.consultation,
            key_message=found.message,
            changes=changes,
            window_minutes=settings.edit_window_minutes,
            max_chars=settings.contribution_max_chars,
            now=utcnow(),
        )
    except EditRefused as refused:
        return _refused(request, contribution, _("This contribution can no longer be changed"), refused.message)
    except ContributionError as error:
        state.error(error.field, error.message)
        return _render_edit(request, found, contribution, state, status_code=422)
    await db.commit()
    response = see_other(f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}")
    message = _("Your changes are saved.") if changed else _("You changed nothing, so nothing was saved.")
    flash(request, response, message)
    return response


async def withdraw_form(request: Request) -> Response:
    found, contribution = await _own_contribution(request)
    if (refusal := withdraw_refusal(contribution, found.consultation)) is not None:
        return _refused(request, contribution, _("This contribution cannot be withdrawn"), refusal)
    context = {"consultation": found.consultation, "message": found.message, "contribution": contribution}
    return render(request, "discussion/withdraw.html", context)


async def withdraw(request: Request) -> Response:
    found, contribution = await _own_contribution(request)
    try:
        await withdraw_contribution(db_of(request), contribution=contribution, consultation=found.consultation)
    except EditRefused as refused:
        return _refused(request, contribution, _("This contribution cannot be withdrawn"), refused.message)
    await db_of(request).commit()
    response = see_other(f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}")
    flash(request, response, _("You withdrew your contribution. Replies to it stay in the discussion."))
    return response


async def history(request: Request) -> Response:
    """Every version, to whoever may read the contribution; the texts of one that was removed
    (by a moderator or its author) only to moderators."""
    found, contribution = await contribution_from_path(request)
    identity, db = identity_of(request), db_of(request)
    view = await view_of(db, contribution.id, audience_reading(request, contribution))
    assert view is not None  # contribution_from_path answered 404 otherwise
    show_texts = contribution.status is ContributionStatus.VISIBLE or permits(identity, Permission.SEE_HIDDEN_BODY)
    context = {
        "consultation": found.consultation,
        "message": found.message,
        "contribution": view,
        "versions": await contribution_versions(db, contribution),
        "show_texts": show_texts,
    }
    return render(request, "discussion/history.html", context)
