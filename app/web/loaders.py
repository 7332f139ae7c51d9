"""Loading what a URL names, with the read permission applied (404 for the unseen)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import consultation_by_slug, key_message_by_ref, slug_of_key_message
from app.discussion.models import Contribution
from app.discussion.thread_read import contribution_with_people
from app.security.permissions import Permission
from app.security.policy import require
from app.web.requests import db_of, identity_of


def _readable(request: Request, consultation: Consultation | None) -> Consultation:
    if consultation is None:
        raise HTTPException(status_code=404)
    require(identity_of(request), Permission.READ_CONSULTATION, consultation, hide=True)
    return consultation


async def consultation_from_path(request: Request) -> Consultation:
    return _readable(request, await consultation_by_slug(db_of(request), request.path_params["slug"]))


async def key_message_from_path(request: Request) -> tuple[Consultation, KeyMessage]:
    consultation = await consultation_from_path(request)
    message = key_message_by_ref(consultation, request.path_params["ref"])
    if message is None:
        raise HTTPException(status_code=404)
    return consultation, message


async def contribution_from_path(request: Request) -> tuple[Consultation, KeyMessage, Contribution]:
    """The contribution, its key message and consultation (read permission checked)."""
    contribution = await contribution_with_people(db_of(request), request.path_params["contribution_id"])
    if contribution is None:
        raise HTTPException(status_code=404)
    slug = await slug_of_key_message(db_of(request), contribution.key_message_id)
    consultation = _readable(request, await consultation_by_slug(db_of(request), slug))
    message = next(m for s in consultation.sections for m in s.key_messages if m.id == contribution.key_message_id)
    return consultation, message, contribution
