"""Negotiators curate a key message's contributions: review states, internal notes and the
revised wording. Everything here is for negotiators only: the permission is checked before
anything is loaded, so a refusal says nothing about what exists."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consolidation.curation_list import CurationItem, CurationPage, curation_items, curation_page
from app.consolidation.models import ReviewState
from app.consolidation.reviews import CurationError, add_note, review_state_labels, set_review_state
from app.consolidation.selection import INDIVIDUAL, M49_REGIONS, ParsedSelection, parse_selection
from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import consultation_by_slug, key_message_by_ref
from app.discussion.models import Contribution
from app.discussion.presenters import view_of
from app.discussion.publication import NEGOTIATORS
from app.i18n import _
from app.organisations.models import OrganisationType
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import is_htmx, render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of
from app.web.responses import see_other

STAKEHOLDER_TYPES = (*(kind.value for kind in OrganisationType), INDIVIDUAL)
#: The query parameters the page's filter form sends, kept when a form sends the person back.
FILTER_PARAMS = ("type", "region", "position", "verified", "since", "until", "state", "after")


@dataclass(frozen=True, slots=True)
class CurationPageContext:
    """What consolidation/contributions.html shows."""

    consultation: Consultation
    message: KeyMessage
    parsed: ParsedSelection
    states: tuple[ReviewState, ...]
    page: CurationPage
    state_labels: dict[ReviewState, str]
    back: str
    #: The filters and the cursor of the next page ("" when this is the last).
    next_query: str
    #: The choices of the stakeholder type and region filters.
    stakeholder_types: tuple[str, ...]
    regions: tuple[str, ...]
    #: The form sent with an error: its values and errors, and the item it belongs to.
    form: FormState


async def key_message_to_curate(request: Request) -> tuple[Consultation, KeyMessage]:
    """The consultation (its whole document: the filters need it) and the key message named
    by the path, for a negotiator; 404 for a slug or ref that names nothing."""
    require(identity_of(request), Permission.CURATE_INPUT)
    consultation = await consultation_by_slug(db_of(request), request.path_params["slug"])
    if consultation is None:
        raise HTTPException(status_code=404)
    require(identity_of(request), Permission.READ_CONSULTATION, consultation, hide=True)
    message = key_message_by_ref(consultation, request.path_params["ref"])
    if message is None:
        raise HTTPException(status_code=404)
    return consultation, message


def parse_states(values: list[str]) -> tuple[ReviewState, ...]:
    known = {state.value: state for state in ReviewState}
    return tuple(state for value, state in known.items() if value in values)


async def contributions(request: Request) -> Response:
    consultation, message = await key_message_to_curate(request)
    return await _contributions_page(request, consultation, message, FormState())


async def _contributions_page(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    form: FormState,
    status_code: int = 200,
    params: QueryParams | None = None,
) -> Response:
    """The page as `params` filter it (by default the request's query)."""
    params = request.query_params if params is None else params
    parsed = parse_selection(params, consultation)
    states = parse_states(params.getlist("state"))
    page = await curation_page(
        db_of(request),
        message.id,
        parsed.selection,
        states,
        after=parse_id(params.get("after")),
        page_size=request.app.state.settings.page_size,
    )
    back = _kept_query(params)
    context = CurationPageContext(
        consultation,
        message,
        parsed,
        states,
        page,
        review_state_labels(),
        back,
        _next_query(back, page),
        STAKEHOLDER_TYPES,
        M49_REGIONS,
        form,
    )
    return render(request, "consolidation/contributions.html", context, status_code=status_code)


def _kept_query(params: object) -> str:
    """The filters as a query string, only the page's own parameters, re-encoded: what a
    form carries back is never more than a query of this page."""
    pairs = parse_qsl(str(params), keep_blank_values=False)
    return urlencode([(name, value[:40]) for name, value in pairs if name in FILTER_PARAMS][:60])


def _next_query(back: str, page: CurationPage) -> str:
    if page.next_cursor is None:
        return ""
    pairs = [(name, value) for name, value in parse_qsl(back) if name != "after"]
    return urlencode([*pairs, ("after", str(page.next_cursor))])


async def _contribution_in(request: Request, message: KeyMessage) -> Contribution:
    contribution = await db_of(request).get(Contribution, request.path_params["contribution_id"])
    if contribution is None or contribution.key_message_id != message.id:
        raise HTTPException(status_code=404)
    return contribution


async def change_review(request: Request) -> Response:
    """Set a contribution's review state: back to it on the page, or the item in place (htmx)."""
    consultation, message = await key_message_to_curate(request)
    contribution = await _contribution_in(request, message)
    form = FormState(values=text_values(await request.form(), "state", "reason", "back"))
    try:
        changed = await set_review_state(
            db_of(request),
            negotiator=signed_in_user(request),
            contribution=contribution,
            state=form.values["state"],
            reason=form.values["reason"],
        )
    except CurationError as error:
        form.error(error.field, error.message)
        return await _refused(request, consultation, message, contribution, form)
    done = _("Review state saved.") if changed else _("Nothing changed: it was already so.")
    return await _done(request, consultation, message, contribution, form, done)


async def add_contribution_note(request: Request) -> Response:
    consultation, message = await key_message_to_curate(request)
    contribution = await _contribution_in(request, message)
    form = FormState(values=text_values(await request.form(), "note", "back"))
    try:
        await add_note(
            db_of(request),
            negotiator=signed_in_user(request),
            key_message_id=message.id,
            contribution_id=contribution.id,
            body=form.values["note"],
        )
    except CurationError as error:
        form.error(error.field, error.message)
        return await _refused(request, consultation, message, contribution, form)
    return await _done(request, consultation, message, contribution, form, _("Note kept."))


async def add_key_message_note(request: Request) -> Response:
    consultation, message = await key_message_to_curate(request)
    form = FormState(values=text_values(await request.form(), "note", "back"))
    try:
        await add_note(
            db_of(request), negotiator=signed_in_user(request), key_message_id=message.id, contribution_id=None,
            body=form.values["note"],
        )  # fmt: skip
    except CurationError as error:
        form.error(error.field, error.message)
        form.values["item"] = "key-message"
        return await _contributions_page(request, consultation, message, form, 422, _filters_sent(form))
    await db_of(request).commit()
    response = see_other(_back_to(consultation, message, form, "key-message-notes"))
    flash(request, response, _("Note kept."))
    return response


def _back_to(consultation: Consultation, message: KeyMessage, form: FormState, anchor: str) -> str:
    query = _kept_query(form.values.get("back", ""))
    path = path_for("consolidation_contributions", slug=consultation.slug, ref=message.ref)
    return f"{path}{'?' + query if query else ''}#{anchor}"


async def _done(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    contribution: Contribution,
    form: FormState,
    notice: str,
) -> Response:
    db = db_of(request)
    await db.commit()
    if is_htmx(request):
        return await _item(
            request, consultation, message, contribution, FormState(values={"back": form.values["back"]})
        )
    response = see_other(_back_to(consultation, message, form, f"c{contribution.id}"))
    flash(request, response, notice)
    return response


async def _refused(
    request: Request, consultation: Consultation, message: KeyMessage, contribution: Contribution, form: FormState
) -> Response:
    """The person's text kept, the error beside its field: the item alone for htmx, else the page."""
    form.values["item"] = str(contribution.id)
    if is_htmx(request):
        return await _item(request, consultation, message, contribution, form, status_code=422)
    # The page the form was sent from (its filters and place), so the item is there with its error.
    return await _contributions_page(request, consultation, message, form, 422, _filters_sent(form))


def _filters_sent(form: FormState) -> QueryParams:
    return QueryParams(_kept_query(form.values.get("back", "")))


async def _item(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    contribution: Contribution,
    form: FormState,
    status_code: int = 200,
) -> Response:
    db = db_of(request)
    view = await view_of(db, contribution.id, NEGOTIATORS)
    assert view is not None  # negotiators see every contribution
    [item] = await curation_items(db, message.id, [view])
    return render(
        request, "consolidation/_item.html", _item_context(consultation, message, item, form), status_code=status_code
    )


def _item_context(
    consultation: Consultation, message: KeyMessage, item: CurationItem, form: FormState
) -> dict[str, object]:
    return {
        "consultation": consultation,
        "message": message,
        "item": item,
        "form": form,
        "state_labels": review_state_labels(),
        "back": form.values.get("back", ""),
    }
