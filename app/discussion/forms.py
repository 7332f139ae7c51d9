"""Contribution and reply forms."""

from __future__ import annotations

import secrets
from typing import Literal

from starlette.datastructures import FormData

from app.discussion.contribution_write import PERSONAL, Draft
from app.web.forms import FormState, text_values


def new_submission_key() -> str:
    """A one-time key rendered into each form, so a double click or retry posts once."""
    return secrets.token_urlsafe(18)


def blank_form() -> FormState:
    return FormState(values={"body": "", "position": "", "language": "", "submission_key": new_submission_key()})


def parse_contribution(form: FormData) -> tuple[FormState, Draft]:
    state = FormState(values=text_values(form, "body", "position", "submission_key", "organisation_id", "language"))
    values = state.values
    organisation_id = _speaking_for(values["organisation_id"])
    return state, Draft(
        body=values["body"],
        submission_key=values["submission_key"],
        position=values["position"] or None,
        organisation_id=organisation_id,
        language=values["language"] or "en",
    )


def _speaking_for(value: str) -> int | Literal["personal"] | None:
    """The "Speaking for" choice: an organisation's id, "personal", or nothing (the default)."""
    if value == PERSONAL:
        return PERSONAL
    return int(value) if value.isdigit() else None
