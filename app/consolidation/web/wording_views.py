"""Negotiators record a revised wording of a key message and read every version as a
redline against the original, with the contributions each reflects."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consolidation.reviews import CurationError
from app.consolidation.revisions import MAX_WORDING_CHARS, current_wording, save_wording, wording_history
from app.consolidation.web.curation_views import key_message_to_curate
from app.consultation.models import Consultation, KeyMessage
from app.i18n import _
from app.templating import render
from app.text.footnotes import strip_footnote_markers
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of
from app.web.responses import see_other


async def wording(request: Request) -> Response:
    """GET: the form, filled with the current wording (or the original) and its contributions;
    POST: a new version, then back to the page."""
    consultation, message = await key_message_to_curate(request)
    db = db_of(request)
    if request.method == "GET":
        current = await current_wording(db, message.id)
        text = current.text if current else strip_footnote_markers(message.text)
        ids = " ".join(str(n) for n in current.contribution_ids) if current else ""
        return await _page(request, consultation, message, FormState(values={"text": text, "contributions": ids}))
    form = FormState(values=text_values(await request.form(), "text", "contributions"))
    try:
        saved = await save_wording(
            db,
            negotiator=signed_in_user(request),
            key_message=message,
            text=form.values["text"],
            contribution_ids=[form.values["contributions"]],
        )
    except CurationError as error:
        form.error(error.field, error.message)
        return await _page(request, consultation, message, form, status_code=422)
    await db.commit()
    response = see_other(path_for("consolidation_wording", slug=consultation.slug, ref=message.ref) + "#versions")
    flash(
        request, response, _("The revised wording is saved.") if saved else _("Nothing changed: that is the wording.")
    )
    return response


async def _page(
    request: Request, consultation: Consultation, message: KeyMessage, form: FormState, status_code: int = 200
) -> Response:
    context = {
        "consultation": consultation,
        "message": message,
        "original": strip_footnote_markers(message.text),
        "versions": await wording_history(db_of(request), message.id),
        "form": form,
        "max_chars": MAX_WORDING_CHARS,
    }
    return render(request, "consolidation/wording.html", context, status_code=status_code)
