"""The negotiators' workspace: the overview of a selection, and one key message in depth."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consolidation.amendments import AmendmentGroup
from app.consolidation.matrix import Dimension
from app.consolidation.web.forms import WorkspaceForm, parse_workspace_form
from app.consolidation.workspace import (
    KeyMessageSummary,
    SectionSummary,
    groups_amendments_on_overview,
    key_message_detail,
    overview,
)
from app.consultation.models import Consultation, KeyMessage, Section
from app.consultation.services import key_message_by_ref, list_consultations
from app.discussion.web.loaders import consultation_from_path
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import render
from app.web.numbers import parse_number
from app.web.requests import db_of, identity_of


@dataclass(frozen=True)
class WorkspaceContext:
    consultation: Consultation
    form: WorkspaceForm
    sections: list[SectionSummary]
    dimensions: tuple[Dimension, ...]
    grouped_here: bool


#: Amendment groups per page of a key message's consolidation: the largest first.
GROUPS_PER_PAGE = 50


@dataclass(frozen=True)
class KeyMessageContext:
    consultation: Consultation
    section: Section
    form: WorkspaceForm
    summary: KeyMessageSummary
    dimensions: tuple[Dimension, ...]
    #: The page of amendment groups shown (from 1), its groups, and whether more follow.
    page: int
    groups: list[AmendmentGroup]
    first_group: int
    more_groups: bool


async def _consultation_for_negotiators(request: Request) -> Consultation:
    consultation = await consultation_from_path(request)
    require(identity_of(request), Permission.CONSOLIDATE, consultation)
    return consultation


async def workspace(request: Request) -> Response:
    consultation = await _consultation_for_negotiators(request)
    form = parse_workspace_form(request.query_params, consultation)
    sections = await overview(db_of(request), consultation, form.selection, form.dimension)
    context = WorkspaceContext(
        consultation, form, sections, tuple(Dimension), groups_amendments_on_overview(form.selection)
    )
    return render(request, "consolidation/workspace.html", context)


async def key_message_page(request: Request) -> Response:
    consultation = await _consultation_for_negotiators(request)
    message = key_message_by_ref(consultation, request.path_params["ref"])
    if message is None:
        raise HTTPException(status_code=404)
    form = parse_workspace_form(request.query_params, consultation)
    summary = await key_message_detail(db_of(request), consultation, form.selection, message, form.dimension)
    every_group = summary.groups or []
    # A page past the last shows the last: a link kept while the groups shrank still works.
    pages = max(1, -(-len(every_group) // GROUPS_PER_PAGE))
    page = min(parse_number(request.query_params.get("page"), minimum=1) or 1, pages)
    first = (page - 1) * GROUPS_PER_PAGE
    context = KeyMessageContext(
        consultation,
        _section_of(consultation, message),
        form,
        summary,
        tuple(Dimension),
        page=page,
        groups=every_group[first : first + GROUPS_PER_PAGE],
        first_group=first + 1,
        more_groups=page < pages,
    )
    return render(request, "consolidation/key_message.html", context)


def _section_of(consultation: Consultation, message: KeyMessage) -> Section:
    return next(s for s in consultation.sections if s.id == message.section_id)


async def index(request: Request) -> Response:
    """The header's link: every consultation's workspace."""
    identity = identity_of(request)
    require(identity, Permission.CONSOLIDATE)
    consultations = await list_consultations(db_of(request), include_drafts=permits(identity, Permission.SEE_DRAFTS))
    return render(request, "consolidation/index.html", {"consultations": consultations})
