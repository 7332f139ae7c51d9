"""The check every form that creates an account or a contribution runs before anything else
(docs/decisions/0020): a form that looks like a bot's is refused quietly. Nothing is
written; the form comes back with the person's text and one polite line, the same whatever
the reason, so a person who was merely quick loses nothing and a bot learns nothing; the
reason goes to the log, never the text."""

from __future__ import annotations

import logging

from starlette.datastructures import FormData
from starlette.requests import Request

from app.i18n import _
from app.security.csrf import STATE_TOKEN
from app.security.form_stamps import STAMP_FIELD, FormTiming, Refusal, judge
from app.settings import Settings
from app.web.forms import FormState
from app.web.requests import identity_of

logger = logging.getLogger(__name__)

#: The key of a problem with the whole form rather than one field (includes/forms.html).
FORM_PROBLEM = "form"


def form_timing(settings: Settings) -> FormTiming:
    return FormTiming(
        min_seconds=settings.form_min_fill_seconds,
        max_age_seconds=settings.form_max_age_hours * 3600,
    )


def passes_as_human(request: Request, form: FormData, state: FormState, *, form_name: str) -> bool:
    """Whether `form` may be handled. If not, `state` carries the one line shown above the
    form, and the refusal is logged. Either way `state` keeps a genuine stamp, so the form
    shown again counts from when the person first saw it."""
    settings: Settings = request.app.state.settings
    verdict = judge(
        form,
        secret=str(settings.secret_key),
        csrf_token=str(request.scope.get("state", {}).get(STATE_TOKEN, "")),
        timing=form_timing(settings),
    )
    if verdict.kept_stamp is not None:
        state.values[STAMP_FIELD] = verdict.kept_stamp
    if verdict.refusal is None:
        return True
    log_refusal(request, form_name, verdict.refusal)
    # First in the error summary, before any field's.
    problem = _("Sorry, we could not accept the form this time. Please check it and send it again.")
    state.errors = {FORM_PROBLEM: problem, **state.errors}
    return False


def log_refusal(request: Request, form_name: str, refusal: Refusal) -> None:
    """One line per refusal, with the form and the reason (fields to count by), and who was
    signed in; never what was typed."""
    identity = identity_of(request)
    user_id = identity.user.id if identity.user is not None else None
    logger.info(
        "form refused as automated: form=%s reason=%s user=%s",
        form_name,
        refusal.value,
        user_id if user_id is not None else "-",
        extra={"form": form_name, "refusal": refusal.value, "user_id": user_id},
    )
