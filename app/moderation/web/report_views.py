"""Readers report a contribution to the moderators."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.discussion.web.loaders import contribution_from_path
from app.i18n import _
from app.mail.services import send_pending
from app.moderation.labels import report_reason_labels
from app.moderation.reports import ReportDraft, report_contribution
from app.moderation.services import ModerationError
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other

FIELDS = ("reason", "explanation", "illegal_what", "illegal_where", "good_faith")


async def report(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.REPORT)
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), *FIELDS)
        values = state.values
        draft = ReportDraft(
            reason=values["reason"],
            explanation=values["explanation"],
            illegal_what=values["illegal_what"],
            illegal_where=values["illegal_where"],
            good_faith=values["good_faith"] == "yes",
        )
        db, settings = db_of(request), request.app.state.settings
        try:
            await report_contribution(
                db, reporter=signed_in_user(request), contribution=contribution, draft=draft, base_url=settings.base_url
            )
        except ModerationError as error:  # refused before anything was written
            state.error(error.field, error.message)
        else:
            await db.commit()
            response = see_other(f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}")
            flash(request, response, _("Thank you: the moderators have your report."))
            response.background = BackgroundTask(send_pending, db, settings)
            return response
    return render(
        request,
        "moderation/report.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "contribution": contribution,
            "reasons": report_reason_labels(),
            "form": state,
        },
        status_code=422 if state.errors else 200,
    )
