"""The moderators' organisations page: what to verify, verifications that lapsed, and claims
of organisations without admins, answered with a note."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.i18n import _
from app.organisations.joining import decide_claim
from app.organisations.review import review
from app.organisations.services import OrganisationError
from app.organisations.web import forms
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def review_page(request: Request) -> Response:
    require(identity_of(request), Permission.VERIFY_ORGANISATION)
    return await _render_review(request, FormState())


async def _render_review(request: Request, form: FormState, status_code: int = 200) -> Response:
    context = {"review": await review(db_of(request)), "form": form}
    return render(request, "organisations/review.html", context, status_code=status_code)


async def answer_claim(request: Request) -> Response:
    require(identity_of(request), Permission.ANSWER_CLAIM)
    state = forms.parse_claim_answer(await request.form())
    if state.is_valid:
        approve = state.values["action"] == "approve"
        try:
            await decide_claim(
                db_of(request),
                parse_id(state.values["request_id"]) or 0,
                moderator=signed_in_user(request),
                approve=approve,
                note=state.values["note"].strip(),
            )
        except OrganisationError as error:  # raised before anything changed
            state.error(error.field, error.message)
        else:
            await db_of(request).commit()
            response = see_other(path_for("organisations_review"))
            flash(
                request,
                response,
                _("The request is approved: the person is the organisation's admin.")
                if approve
                else _("The request is declined."),
            )
            return response
    return await _render_review(request, state, status_code=422)
