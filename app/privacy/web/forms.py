"""The delete-account form: who confirms, and what happens to personal contributions."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from app.accounts.models import User
from app.accounts.services import normalise_email
from app.i18n import _
from app.privacy.erasure import PersonalContributions
from app.security.passwords import verify_password
from app.web.forms import FormState, text_values


@dataclass
class DeleteForm:
    state: FormState
    choice: PersonalContributions | None


def confirmation_field(user: User) -> str:
    """People with a password type it; people who only sign in through a provider type
    their email address instead."""
    return "password" if user.password_hash is not None else "email"


async def read_delete_form(form: FormData, user: User) -> DeleteForm:
    """Check the confirmation and the choice; errors are kept by field, typed secrets are not."""
    field = confirmation_field(user)
    state = FormState(values=text_values(form, field, "contributions"))
    if field == "password":
        if not await verify_password(user.password_hash, state.values["password"]):
            state.error("password", _("The password is not right."))
        state.values["password"] = ""
    elif normalise_email(state.values["email"]) != user.email:
        state.error("email", _("Type the email address of your account, %(email)s.", email=user.email))
    choice = _choice(state.values["contributions"])
    if choice is None:
        state.error("contributions", _("Choose what happens to the contributions you made for yourself."))
    return DeleteForm(state, choice)


def _choice(value: str) -> PersonalContributions | None:
    try:
        return PersonalContributions(value)
    except ValueError:
        return None
