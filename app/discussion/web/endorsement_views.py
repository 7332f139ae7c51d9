"""Endorsing a contribution for an organisation and taking it back; all amendments of a key
message. Each action is a plain form POST that redirects, or an htmx swap of the endorsements."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consultation.services import KeyMessageInContext
from app.discussion.amendments import amendments_page
from app.discussion.endorsements import FIELD, endorse, endorsing_choices, withdraw_endorsement
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution
from app.discussion.presenters import view_of
from app.discussion.topics import topic_named
from app.discussion.web.loaders import contribution_from_path, key_message_from_path, thread_url
from app.discussion.web.page_context import page_flags
from app.i18n import _
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import is_htmx, render
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def endorse_form(request: Request) -> Response:
    """Which of the person's organisations endorses: its own page, or opened in place (htmx)."""
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.ENDORSE, context.consultation)
    return await _endorse_page(request, context, contribution, FormState())


async def post_endorsement(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.ENDORSE, context.consultation)
    state = FormState(values=text_values(await request.form(), FIELD))
    chosen = state.values[FIELD]
    try:
        organisation = await endorse(
            db_of(request),
            user=signed_in_user(request),
            contribution=contribution,
            organisation_id=parse_id(chosen),
        )
    except ContributionError as error:
        state.error(error.field, error.message)
        return await _endorse_page(request, context, contribution, state, status_code=422)
    await db_of(request).commit()
    return await _done(
        request, context, contribution, _("%(name)s endorses this contribution.", name=organisation.name)
    )


async def post_withdrawal(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.ENDORSE, context.consultation)
    try:
        organisation = await withdraw_endorsement(
            db_of(request),
            user=signed_in_user(request),
            contribution=contribution,
            organisation_id=request.path_params["organisation_id"],
        )
    except ContributionError:
        raise HTTPException(status_code=403) from None  # not a member: not theirs to withdraw
    await db_of(request).commit()
    notice = (
        _("%(name)s no longer endorses this contribution.", name=organisation.name)
        if organisation
        else _("That organisation does not endorse this contribution.")
    )
    return await _done(request, context, contribution, notice)


async def _endorse_page(
    request: Request,
    context: KeyMessageInContext,
    contribution: Contribution,
    form: FormState,
    *,
    status_code: int = 200,
) -> Response:
    flags = page_flags(request, context.consultation)
    shown = await view_of(db_of(request), contribution.id, flags.audience)
    assert shown is not None  # contribution_from_path answered 404 otherwise
    choices = await endorsing_choices(db_of(request), signed_in_user(request), contribution)
    page = {"consultation": context.consultation, "message": context.message, "c": shown, "choices": choices}
    page["back_url"] = await thread_url(request, contribution)
    return render(
        request,
        "discussion/endorse.html",
        {**page, "form": form, **flags.as_context()},
        block="endorse_panel",
        status_code=status_code,
    )


async def _done(request: Request, context: KeyMessageInContext, contribution: Contribution, notice: str) -> Response:
    """htmx: the notice in place of the form, and the contribution's endorsements updated;
    otherwise back to the contribution in its thread, with the notice."""
    if is_htmx(request):
        flags = page_flags(request, context.consultation)
        shown = await view_of(db_of(request), contribution.id, flags.audience)
        page = {"consultation": context.consultation, "message": context.message, "c": shown, "notice": notice}
        return render(request, "discussion/_endorse_done.html", {**page, **flags.as_context()})
    response = see_other(await thread_url(request, contribution))
    flash(request, response, notice)
    return response


async def all_amendments(request: Request) -> Response:
    """Every amendment to a key message side by side, most endorsed first, a page at a time."""
    found = await key_message_from_path(request)
    flags = page_flags(request, found.consultation)
    cursor = request.query_params.get("after")
    topic = topic_named(found.consultation.topics, request.query_params.get("topic"))
    page = await amendments_page(
        db_of(request),
        found.consultation,
        found.message,
        flags.audience,
        cursor=cursor,
        page_size=request.app.state.settings.page_size,
        topic_id=topic.id if topic else None,
    )
    context = {"consultation": found.consultation, "message": found.message, "page": page, "after": cursor}
    return render(
        request, "discussion/amendments.html", {**context, "topic": topic.slug if topic else None, **flags.as_context()}
    )
