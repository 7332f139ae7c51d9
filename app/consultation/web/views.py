"""The consultation pages: the list of consultations, one consultation with its roundtables,
one roundtable with its key messages; each with the tallies of positions."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation import services as text
from app.discussion.tallies import tallies
from app.discussion.web.loaders import consultation_from_path
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import render
from app.web.requests import db_of, identity_of


async def home(request: Request) -> Response:
    identity = identity_of(request)
    consultations = await text.list_consultations(
        db_of(request), include_drafts=permits(identity, Permission.SEE_DRAFTS)
    )
    ids = [m.id for c in consultations for m in text.all_key_messages(c)]
    return render(
        request,
        "consultation/home.html",
        {
            "consultations": consultations,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables,
        },
    )


async def consultation_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    ids = [m.id for m in text.all_key_messages(consultation)]
    return render(
        request,
        "consultation/consultation.html",
        {
            "consultation": consultation,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables(consultation),
            "footnotes": consultation.footnotes,
            "may_export": permits(identity_of(request), Permission.EXPORT, consultation),
        },
    )


async def roundtable_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    section = text.section_by_ref(consultation, request.path_params["ref"])
    if section is None or not section.key_messages:
        raise HTTPException(status_code=404)
    children = text.subsections(consultation, section)
    cited = [p.text for s in [section, *children] for p in s.paragraphs] + [m.text for m in section.key_messages]
    return render(
        request,
        "consultation/roundtable.html",
        {
            "consultation": consultation,
            "section": section,
            "subsections": children,
            "footnotes": text.cited_footnotes(consultation, *cited),
            "tallies": await tallies(db_of(request), [m.id for m in section.key_messages]),
        },
    )
