"""Sign-up and sign-in forms: parse, validate, and keep what the person typed."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from app.accounts.passwords_policy import password_problem
from app.accounts.services import EMAIL_PATTERN, is_country_code
from app.i18n import _
from app.organisations.directory import NewOrganisation
from app.organisations.models import OrganisationType
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id


@dataclass(frozen=True)
class SignUpData:
    display_name: str
    email: str
    password: str
    organisation_id: int | None
    new_organisation: NewOrganisation | None


def parse_sign_up(form: FormData) -> tuple[FormState, SignUpData | None]:
    state = FormState(
        values=text_values(
            form, "display_name", "email", "password", "organisation_id", "org_name", "org_type", "org_country", "next"
        )
    )
    values = state.values
    if not values["display_name"].strip():
        state.error("display_name", _("Enter your name."))
    elif len(values["display_name"]) > 120:
        state.error("display_name", _("Your name must be 120 characters or fewer."))
    if not EMAIL_PATTERN.match(values["email"].strip()):
        state.error("email", _("Enter an email address like name@example.org."))
    problem = password_problem(values["password"], email=values["email"], name=values["display_name"])
    if problem is not None:
        state.error("password", problem)
    organisation_id, new_organisation = parse_organisation_choice(state)
    values["password"] = ""  # never echo a password back into the page
    if not state.is_valid:
        return state, None
    return state, SignUpData(
        display_name=values["display_name"].strip(),
        email=values["email"].strip(),
        password=text_values(form, "password")["password"],  # cleaned as sign-in cleans it
        organisation_id=organisation_id,
        new_organisation=new_organisation,
    )


#: The choice "no organisation: I speak for myself" in the organisation list.
NO_ORGANISATION = "none"


def parse_organisation_choice(state: FormState) -> tuple[int | None, NewOrganisation | None]:
    """A listed organisation's id, or an organisation to register, or neither when the person
    chose to speak for themselves."""
    values = state.values
    if values["organisation_id"] == NO_ORGANISATION:
        return None, None
    if values["organisation_id"]:
        if (organisation_id := parse_id(values["organisation_id"])) is None:
            state.error("organisation_id", _("Choose your organisation from the list."))
            return None, None
        return organisation_id, None
    if not values["org_name"].strip():
        state.error(
            "org_name",
            _("Choose your organisation from the list or enter its name to register it, or choose “None”."),
        )
    elif len(values["org_name"].strip()) > 200:
        state.error("org_name", _("The organisation name must be 200 characters or fewer."))
    types = {member.value: member for member in OrganisationType}
    if values["org_type"] not in types:
        state.error("org_type", _("Choose the type of your organisation."))
    if not is_country_code(values["org_country"]):
        state.error("org_country", _("Choose the country where your organisation is registered."))
    if not state.is_valid:
        return None, None
    return None, NewOrganisation(values["org_name"].strip(), types[values["org_type"]], values["org_country"])


def parse_sign_in(form: FormData) -> tuple[FormState, tuple[str, str] | None]:
    state = FormState(values=text_values(form, "email", "password", "next"))
    if not state.values["email"].strip():
        state.error("email", _("Enter your email address."))
    if not state.values["password"]:
        state.error("password", _("Enter your password."))
    credentials = (state.values["email"], state.values["password"])
    state.values["password"] = ""
    return state, credentials if state.is_valid else None
