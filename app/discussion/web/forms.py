"""Contribution and reply forms."""

from __future__ import annotations

import secrets
from typing import Literal

from starlette.datastructures import FormData

from app.discussion.contribution_write import PERSONAL, Draft
from app.web.forms import FormState, text_values
from app.web.numbers import parse_id, parse_number


def new_submission_key() -> str:
    """A one-time key rendered into each form, so a double click or retry posts once."""
    return secrets.token_urlsafe(18)


FIELDS = ("body", "position", "submission_key", "organisation_id", "language", "publication")
#: Optional parts of a contribution, each with its own fields in the form.
EXTRA_FIELDS = ("amendment_text", "quote_text", "quote_start")


def blank_form(**values: str) -> FormState:
    state = FormState(values=dict.fromkeys(FIELDS + EXTRA_FIELDS, ""))
    state.values.update(submission_key=new_submission_key(), publication="named", **values)
    return state


def chosen_topics(state: FormState) -> set[str]:
    """The topic slugs ticked on the form (kept as one comma-separated value in the state)."""
    return {slug for slug in state.values.get("topics", "").split(",") if slug}


def parse_contribution(form: FormData) -> tuple[FormState, Draft]:
    state = FormState(values=text_values(form, *FIELDS, *EXTRA_FIELDS))
    topics = tuple(sorted({value for value in form.getlist("topics") if isinstance(value, str) and value}))
    state.values["topics"] = ",".join(topics)
    values = state.values
    organisation_id = _speaking_for(values["organisation_id"])
    return state, Draft(
        body=values["body"],
        submission_key=values["submission_key"],
        position=values["position"] or None,
        organisation_id=organisation_id,
        language=values["language"] or "en",
        publication=values["publication"] or "named",
        amendment_text=values["amendment_text"],
        quote_text=values["quote_text"],
        quote_start=parse_number(values["quote_start"]),
        topics=topics,
    )


def _speaking_for(value: str) -> int | Literal["personal"] | None:
    """The "Speaking for" choice: an organisation's id, "personal", or nothing (the default)."""
    if value == PERSONAL:
        return PERSONAL
    return parse_id(value)
