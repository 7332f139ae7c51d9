"""Choosing one's organisation (sign-up, completing a profile): a search by name instead of
a list of every organisation. The same choices serve the page, the htmx swap as one types,
and the page sent again by the "Search" button without JavaScript.

A choice shows only what an organisation's public profile shows: name, country, badge."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.labels import countries
from app.organisations.directory import SearchResult, search_organisations
from app.organisations.models import Organisation, OrganisationType
from app.templating import is_htmx, render
from app.web.forms import FormState, query_text, text_values
from app.web.numbers import parse_id
from app.web.requests import db_of

#: The fields of the choice of organisation, kept when the page is shown again.
CHOICE_FIELDS = ("q", "searched_q", "organisation_id", "org_name", "org_type", "org_country", "next")
CHOICES_PARTIAL = "accounts/_organisation_choices.html"
#: The button that sends the search without JavaScript.
SEARCH_BUTTON = "find_organisation"


@dataclass(frozen=True)
class OrganisationChoices:
    """What accounts/_organisation_choices.html shows."""

    query: str
    #: The organisation chosen before this search, kept first so a new search never drops it.
    chosen: Organisation | None
    found: SearchResult
    #: The page to ask for choices as one types (the page the form is on).
    search_url: str


def wants_search(form: FormData) -> bool:
    """The "Search" button, or Enter in the search field, with a query not yet searched.
    Enter in another field also sends the first button (Search): when the query is the one
    already shown, the person meant to send the form."""
    if SEARCH_BUTTON not in form:
        return False
    values = text_values(form, "q", "searched_q")
    return values["q"].strip() != values["searched_q"].strip()


def search_state(form: FormData, *fields: str) -> FormState:
    """The form as typed (never a password), to show again with the organisations found."""
    return FormState(values=text_values(form, *fields, *CHOICE_FIELDS, "form_stamp"))


def query_state(request: Request) -> FormState:
    """A page asked for with a search in its address (htmx as one types, or a link)."""
    params = request.query_params
    return FormState(values={name: query_text(params, name) for name in ("q", "organisation_id", "next")})


async def organisation_choices(request: Request, state: FormState, search_url: str) -> OrganisationChoices:
    db, query = db_of(request), state.values.get("q", "")
    chosen_id = parse_id(state.values.get("organisation_id", ""))
    chosen = await db.get(Organisation, chosen_id) if chosen_id is not None else None
    found = await search_organisations(db, query)
    if chosen is not None:
        found = SearchResult([o for o in found.organisations if o.id != chosen.id], found.more)
    return OrganisationChoices(query=query, chosen=chosen, found=found, search_url=search_url)


def render_choices(
    request: Request, page: str, state: FormState, choices: OrganisationChoices, *, status_code: int = 200
) -> Response:
    """The page, or only the choices when htmx asks as one types (one partial serves both)."""
    if is_htmx(request) and "q" in request.query_params:
        return render(request, CHOICES_PARTIAL, {"form": state, "choices": choices, "swapped": True})
    context = {
        "form": state,
        "choices": choices,
        "countries": countries(),
        "organisation_types": list(OrganisationType),
    }
    return render(request, page, context, status_code=status_code)
