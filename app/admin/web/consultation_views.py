"""Administration of consultations: how each is run on the site (its pre-moderation, and
whether it publishes what was taken up once closed)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.models import User
from app.admin.consultation_settings import (
    all_consultations,
    premoderation_labels,
    set_premoderation,
    set_publishes_outcome,
)
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


class Setter(Protocol):
    def __call__(
        self,
        db: AsyncSession,
        *,
        admin: User,
        consultation: Consultation,
        value: str,
        reason: str,
        address: str | None,
    ) -> Awaitable[bool]: ...


async def consultations(request: Request) -> Response:
    require(identity_of(request), Permission.CONFIGURE_CONSULTATIONS)
    return await _render(request, FormState())


async def change_premoderation(request: Request) -> Response:
    return await _change(request, "premoderation", set_premoderation, _("Pre-moderation updated."))


async def change_outcome(request: Request) -> Response:
    return await _change(
        request, "publishes_outcome", set_publishes_outcome, _("Publication of what we heard updated.")
    )


async def _change(request: Request, name: str, setter: Setter, done: str) -> Response:
    """One setting of one consultation: set, audited, and back to its form."""
    require(identity_of(request), Permission.CONFIGURE_CONSULTATIONS)
    db = db_of(request)
    consultation = await db.scalar(select(Consultation).where(Consultation.slug == request.path_params["slug"]))
    if consultation is None:
        raise HTTPException(status_code=404)
    state = FormState(values=text_values(await request.form(), name, "reason"))
    state.values |= {"slug": consultation.slug, "setting": name}
    try:
        changed = await setter(
            db,
            admin=signed_in_user(request),
            consultation=consultation,
            value=state.values[name],
            reason=state.values["reason"],
            address=client_address(request),
        )
    except AdminChangeError as error:
        state.error(error.field, error.message)
        return await _render(request, state, status_code=422)
    await db.commit()
    response = see_other(f"{path_for('admin_consultations')}#consultation-{consultation.slug}")
    flash(request, response, done if changed else _("Nothing changed: it was already so."))
    return response


async def _render(request: Request, state: FormState, status_code: int = 200) -> Response:
    context = {
        "consultations": await all_consultations(db_of(request)),
        "choices": premoderation_labels(),
        "form": state,
    }
    return render(request, "admin/consultations.html", context, status_code=status_code)
