"""Organisation pages: the public profile, editing it, and verifying it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.labels import collation_key, countries, country_name
from app.i18n import _
from app.organisations.directory import search_organisations
from app.organisations.models import EcosocStatus, Organisation, OrganisationType
from app.organisations.services import OrganisationError, unverify, update_profile, verify
from app.organisations.web import forms
from app.organisations.web.profile_page import organisation_from_path, profile_url, render_profile
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import is_htmx, render
from app.web.flash import flash
from app.web.forms import FormState, query_text
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def find(request: Request) -> Response:
    """Find an organisation by part of its name, to read its profile or ask to join it. Shows
    what profiles show publicly: name, country, badge. As one types, htmx swaps the results."""
    query = query_text(request.query_params, "q")
    found = await search_organisations(db_of(request), query)
    context = {"query": query, "found": found, "swapped": is_htmx(request)}
    return render(request, "organisations/find.html", context, block="results")


async def profile(request: Request) -> Response:
    return await render_profile(request, await organisation_from_path(request))


async def edit(request: Request) -> Response:
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.EDIT_ORGANISATION, organisation)
    if request.method == "GET":
        return _render_edit(request, organisation, forms.profile_form(organisation))
    db, form = db_of(request), await request.form()
    if forms.wants_origin_added(form):  # nothing is saved: the form again, with the country added
        state = forms.add_origin(form)
        return _render_edit(request, organisation, state, status_code=422 if state.errors else 200, adding=True)
    state, data = forms.parse_profile(form)
    if data is not None:
        try:
            lapsed = await update_profile(db, organisation, data, editor=signed_in_user(request))
        except OrganisationError as error:
            state.error(error.field, error.message)
        else:
            await db.commit()
            response = see_other(profile_url(organisation))
            flash(request, response, _saved(lapsed))
            return response
    return _render_edit(request, organisation, state, status_code=422)


def _saved(lapsed: bool) -> str:
    if not lapsed:
        return _("The profile is saved.")
    return _(
        "The profile is saved. You changed facts the moderators checked, so it is not verified until they check again."
    )


def _render_edit(
    request: Request, organisation: Organisation, form: FormState, status_code: int = 200, *, adding: bool = False
) -> Response:
    """The edit form; after "Add", htmx swaps only the countries of origin."""
    chosen = [code for code in form.values.get("origin_countries", "").split(";") if code]
    context = {
        "organisation": organisation,
        "form": form,
        "countries": countries(),
        "organisation_types": list(OrganisationType),
        "ecosoc_statuses": list(EcosocStatus),
        "chosen_origins": sorted(
            ((code, country_name(code)) for code in chosen), key=lambda pair: collation_key(pair[1])
        ),
        "adding": adding,
    }
    block = "origins" if adding else None
    return render(request, "organisations/edit.html", context, block=block, status_code=status_code)


async def verification(request: Request) -> Response:
    """Moderators verify an organisation, or take the badge back, with a note on how or why."""
    organisation = await organisation_from_path(request)
    require(identity_of(request), Permission.VERIFY_ORGANISATION, organisation)
    if request.method == "GET":
        return _render_verify(request, organisation, FormState())
    state = forms.parse_note(await request.form())
    if not state.is_valid:
        return _render_verify(request, organisation, state, status_code=422)
    change = verify if state.values["action"] == "verify" else unverify
    await change(db_of(request), organisation, moderator=signed_in_user(request), note=state.values["note"].strip())
    await db_of(request).commit()
    response = see_other(profile_url(organisation))
    done = _("The organisation is verified.") if change is verify else _("The organisation is no longer verified.")
    flash(request, response, done)
    return response


def _render_verify(request: Request, organisation: Organisation, form: FormState, status_code: int = 200) -> Response:
    context = {"organisation": organisation, "form": form}
    return render(request, "organisations/verify.html", context, status_code=status_code)
