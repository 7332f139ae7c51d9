"""The consultation pages: the list of consultations, one consultation with its roundtables,
one roundtable with its key messages; each with the tallies of positions."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation import services as text
from app.consultation.models import Consultation, KeyMessage
from app.consultation.phases import phase_name
from app.consultation.translations import translations_of
from app.discussion.tallies import tallies
from app.discussion.web.loaders import consultation_from_path
from app.i18n import current_locale
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import render
from app.web.conditional import Validators, anonymous_validators, passed
from app.web.requests import db_of, identity_of


async def home(request: Request) -> Response:
    identity = identity_of(request)
    consultations = await text.list_consultations(
        db_of(request), include_drafts=permits(identity, Permission.SEE_DRAFTS)
    )
    key_messages = [m for c in consultations for m in text.all_key_messages(c)]
    validators = await _anonymous_validators(request, consultations, key_messages)
    if validators is not None and validators.match(request):
        return validators.not_modified()
    ids = [m.id for m in key_messages]
    response = render(
        request,
        "consultation/home.html",
        {
            "consultations": consultations,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables,
            "translations": await translations_of(db_of(request), consultations, current_locale.get()),
        },
    )
    return validators.stamp(response) if validators is not None else response


async def consultation_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    key_messages = text.all_key_messages(consultation)
    validators = await _anonymous_validators(request, [consultation], key_messages)
    if validators is not None and validators.match(request):
        return validators.not_modified()
    ids = [m.id for m in key_messages]
    response = render(
        request,
        "consultation/consultation.html",
        {
            "consultation": consultation,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables(consultation),
            "footnotes": consultation.footnotes,
            "translations": await translations_of(db_of(request), [consultation], current_locale.get()),
            "may_export": permits(identity_of(request), Permission.EXPORT, consultation),
        },
    )
    return validators.stamp(response) if validators is not None else response


async def roundtable_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    section = text.section_by_ref(consultation, request.path_params["ref"])
    if section is None or not section.key_messages:
        raise HTTPException(status_code=404)
    validators = await _anonymous_validators(request, [consultation], section.key_messages)
    if validators is not None and validators.match(request):
        return validators.not_modified()
    children = text.subsections(consultation, section)
    cited = [p.text for s in [section, *children] for p in s.paragraphs] + [m.text for m in section.key_messages]
    response = render(
        request,
        "consultation/roundtable.html",
        {
            "consultation": consultation,
            "section": section,
            "subsections": children,
            "footnotes": text.cited_footnotes(consultation, *cited),
            "tallies": await tallies(db_of(request), [m.id for m in section.key_messages]),
            "translations": await translations_of(db_of(request), [consultation], current_locale.get()),
        },
    )
    return validators.stamp(response) if validators is not None else response


async def _anonymous_validators(
    request: Request, consultations: list[Consultation], key_messages: list[KeyMessage]
) -> Validators | None:
    """What these pages show an anonymous reader: the consultations' text and schedule, and
    the tallies of their key messages, which change only with their discussions."""
    schedules = [(c.id, c.status.value, c.opens_at, c.closes_at, phase_name(c), c.updated_at) for c in consultations]
    changed_at = [c.updated_at for c in consultations] + [m.discussion_changed_at for m in key_messages]
    for consultation in consultations:
        changed_at += passed(consultation.opens_at, consultation.closes_at)
    return await anonymous_validators(
        request, schedules, [(m.id, m.discussion_version) for m in key_messages], changed_at=changed_at
    )
