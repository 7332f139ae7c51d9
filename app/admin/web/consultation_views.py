"""Administration of consultations: how each is run on the site (its pre-moderation)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.admin.consultation_settings import all_consultations, premoderation_labels, set_premoderation
from app.admin.services import AdminChangeError
from app.consultation.models import Consultation
from app.i18n import _
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import client_address, db_of, identity_of
from app.web.responses import see_other


async def consultations(request: Request) -> Response:
    require(identity_of(request), Permission.CONFIGURE_CONSULTATIONS)
    return await _render(request, FormState())


async def change_premoderation(request: Request) -> Response:
    require(identity_of(request), Permission.CONFIGURE_CONSULTATIONS)
    db = db_of(request)
    consultation = await db.scalar(select(Consultation).where(Consultation.slug == request.path_params["slug"]))
    if consultation is None:
        raise HTTPException(status_code=404)
    state = FormState(values=text_values(await request.form(), "premoderation", "reason"))
    state.values["slug"] = consultation.slug
    try:
        changed = await set_premoderation(
            db,
            admin=signed_in_user(request),
            consultation=consultation,
            value=state.values["premoderation"],
            reason=state.values["reason"],
            address=client_address(request),
        )
    except AdminChangeError as error:
        state.error(error.field, error.message)
        return await _render(request, state, status_code=422)
    await db.commit()
    response = see_other(f"{path_for('admin_consultations')}#consultation-{consultation.slug}")
    flash(request, response, _("Pre-moderation updated.") if changed else _("Nothing changed: it was already so."))
    return response


async def _render(request: Request, state: FormState, status_code: int = 200) -> Response:
    context = {
        "consultations": await all_consultations(db_of(request)),
        "choices": premoderation_labels(),
        "form": state,
    }
    return render(request, "admin/consultations.html", context, status_code=status_code)
