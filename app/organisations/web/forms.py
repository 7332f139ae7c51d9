"""Organisation forms: parse, validate, and keep what the person typed."""

from __future__ import annotations

from starlette.datastructures import FormData

from app.accounts.labels import country_code_named
from app.accounts.services import EMAIL_PATTERN, is_country_code
from app.i18n import _
from app.organisations.directory import tidy_name
from app.organisations.models import EcosocStatus, Organisation, OrganisationType
from app.organisations.services import TRANSPARENCY_REGISTER_ID, ProfileEdit
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id

NOTE_MAX_CHARS = 2000
DESCRIPTION_MAX_CHARS = 5000
PROFILE_FIELDS = ("name", "type", "country", "website", "description", "transparency_register_id", "ecosoc_status")


def profile_form(organisation: Organisation) -> FormState:
    """The edit form filled in with the organisation as it is."""
    values = {
        "name": organisation.name,
        "type": organisation.type.value,
        "country": organisation.country,
        "website": organisation.website or "",
        "description": organisation.description,
        "transparency_register_id": organisation.transparency_register_id or "",
        "ecosoc_status": organisation.ecosoc_status.value,
        "origin_countries": ";".join(organisation.origin_countries),
    }
    return FormState(values=values)


#: The button that adds the country typed in "Add a country" to the countries of origin.
ADD_ORIGIN = "add_origin"


def _typed_profile(form: FormData) -> tuple[FormState, list[str]]:
    state = FormState(values=text_values(form, *PROFILE_FIELDS, "origin_add"))
    origins = [str(code) for code in form.getlist("origin_countries")]
    state.values["origin_countries"] = ";".join(origins)  # the template splits it to keep the choices
    return state, origins


def wants_origin_added(form: FormData) -> bool:
    """ "Add" with a country typed. Enter in another field also sends the first button (Add):
    with nothing typed to add, the person meant to save the profile."""
    return form.get("action") == ADD_ORIGIN and bool(text_values(form, "origin_add")["origin_add"].strip())


def add_origin(form: FormData) -> FormState:
    """The profile as typed, with the country named in "Add a country" among the countries of
    origin; nothing is saved. A name no country has stays in its field, with the error."""
    state, origins = _typed_profile(form)
    code = country_code_named(state.values["origin_add"])
    if code is None:
        state.error(
            "origin_add",
            _("No country is called “%(name)s”: choose one from the list.", name=state.values["origin_add"]),
        )
        return state
    state.values["origin_countries"] = ";".join(dict.fromkeys([*origins, code]))
    state.values["origin_add"] = ""
    return state


def parse_profile(form: FormData) -> tuple[FormState, ProfileEdit | None]:
    state, origins = _typed_profile(form)
    values = state.values
    name = tidy_name(values["name"])
    if not name:
        state.error("name", _("Enter the organisation's name."))
    elif len(name) > 200:
        state.error("name", _("The organisation name must be 200 characters or fewer."))
    kinds = {member.value: member for member in OrganisationType}
    if values["type"] not in kinds:
        state.error("type", _("Choose the type of your organisation."))
    if not is_country_code(values["country"]):
        state.error("country", _("Choose the country where your organisation is registered."))
    website = _website(state)
    if len(values["description"]) > DESCRIPTION_MAX_CHARS:
        state.error(
            "description", _("The description must be %(limit)s characters or fewer.", limit=DESCRIPTION_MAX_CHARS)
        )
    register_id = values["transparency_register_id"].strip()
    if register_id and not TRANSPARENCY_REGISTER_ID.match(register_id):
        state.error(
            "transparency_register_id",
            _("Enter the number as the register shows it: 9 to 12 digits, a hyphen, 2 digits (123456789012-34)."),
        )
    statuses = {member.value: member for member in EcosocStatus}
    if values["ecosoc_status"] not in statuses:
        state.error("ecosoc_status", _("Choose the organisation's ECOSOC consultative status."))
    diaspora = values["type"] == OrganisationType.DIASPORA.value
    if diaspora and not origins:
        state.error("origin_countries", _("Choose the countries of origin of the communities you represent."))
    elif any(not is_country_code(code) for code in origins):
        state.error("origin_countries", _("Choose countries from the list."))
    if not state.is_valid:
        return state, None
    return state, ProfileEdit(
        name=name,
        type=kinds[values["type"]],
        country=values["country"],
        website=website,
        description=values["description"].replace("\r\n", "\n").strip(),
        transparency_register_id=register_id or None,
        ecosoc_status=statuses[values["ecosoc_status"]],
        origin_countries=sorted(set(origins)) if diaspora else [],
    )


def _website(state: FormState) -> str | None:
    website = state.values["website"].strip()
    if not website:
        return None
    if not website.startswith(("https://", "http://")) or " " in website or len(website) > 300:
        state.error("website", _("Enter the full address of the website, starting with https://."))
        return None
    return website


def parse_note(form: FormData) -> FormState:
    """The moderator's note on how they checked the organisation (or why the badge goes)."""
    state = FormState(values=text_values(form, "note", "action"))
    note = state.values["note"].strip()
    if not note:
        state.error("note", _("Say how you checked the organisation (or why you take the badge back)."))
    elif len(note) > NOTE_MAX_CHARS:
        state.error("note", _("The note must be %(limit)s characters or fewer.", limit=NOTE_MAX_CHARS))
    if state.values["action"] not in ("verify", "unverify"):
        state.error("note", _("Choose whether to verify the organisation or take the badge back."))
    return state


def parse_claim_answer(form: FormData) -> FormState:
    """A moderator's answer to a claim of an organisation without admins: the note is
    required either way (shown to moderators and kept in the audit log)."""
    state = FormState(values=text_values(form, "request_id", "note", "action"))
    field = f"note-{state.values['request_id']}" if parse_id(state.values["request_id"]) else "note"
    note = state.values["note"].strip()
    if not note:
        state.error(field, _("Say how you checked that this person may speak for the organisation, or why not."))
    elif len(note) > NOTE_MAX_CHARS:
        state.error(field, _("The note must be %(limit)s characters or fewer.", limit=NOTE_MAX_CHARS))
    if state.values["action"] not in ("approve", "decline"):
        state.error(field, _("Choose whether to approve or decline the request."))
    return state


def parse_invitation(form: FormData) -> FormState:
    state = FormState(values=text_values(form, "email", "as_admin"))
    if not EMAIL_PATTERN.match(state.values["email"].strip()):
        state.error("email", _("Enter an email address like name@example.org."))
    return state
