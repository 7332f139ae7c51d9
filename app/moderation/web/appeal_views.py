"""Authors appeal a moderator's decision on their contribution."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import key_message_in_context
from app.discussion.holding import NOBODYS_HELD
from app.discussion.models import Contribution, HeldContribution
from app.discussion.web.loaders import contribution_from_path
from app.i18n import _
from app.moderation.appeals import (
    APPEAL_WINDOW,
    appealable_decision,
    appealable_rejection,
    file_appeal,
    file_held_appeal,
)
from app.moderation.models import Appeal, ModerationLogEntry
from app.moderation.rules import rule_named
from app.moderation.services import ModerationError
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def appeal(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.APPEAL, contribution)
    db = db_of(request)
    author = signed_in_user(request)
    return await _appeal_page(
        request,
        AppealPage(
            consultation=context.consultation,
            message=context.message,
            contribution=contribution,
            file=lambda text: file_appeal(db, author=author, contribution=contribution, text=text),
            appealable=lambda: appealable_decision(db, contribution),
            done=f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}",
        ),
    )


async def held_appeal(request: Request) -> Response:
    """The author appeals the decision not to publish their held contribution."""
    db = db_of(request)
    held = await db.get(HeldContribution, request.path_params["held_id"])
    require(identity_of(request), Permission.APPEAL, held or NOBODYS_HELD)
    assert held is not None  # only its author passes
    found = await key_message_in_context(db, key_message_id=held.key_message_id)
    assert found is not None  # a held contribution always has a key message (foreign key)
    author = signed_in_user(request)
    return await _appeal_page(
        request,
        AppealPage(
            consultation=found.consultation,
            message=found.message,
            held=held,
            file=lambda text: file_held_appeal(db, author=author, held=held, text=text),
            appealable=lambda: appealable_rejection(db, held),
            done=path_for("key_message", slug=found.consultation.slug, ref=found.message.ref),
        ),
    )


@dataclass(frozen=True)
class AppealPage:
    """What differs between appealing a hidden contribution and a held one not published:
    exactly one of `contribution` and `held` is given."""

    consultation: Consultation
    message: KeyMessage
    file: Callable[[str], Awaitable[Appeal]]  #: records the appeal with its explanation
    appealable: Callable[[], Awaitable[ModerationLogEntry | None]]  #: the decision, if it can be appealed now
    done: str  #: where the author goes once it is sent
    contribution: Contribution | None = None
    held: HeldContribution | None = None


async def _appeal_page(request: Request, page: AppealPage) -> Response:
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "text")
        try:
            await page.file(state.values["text"])
        except ModerationError as error:  # refused before anything was written
            state.error(error.field, error.message)
        else:
            await db_of(request).commit()
            response = see_other(page.done)
            flash(
                request, response, _("Your appeal is with the moderators. Another moderator will review the decision.")
            )
            return response
    decision = await page.appealable()
    return render(
        request,
        "moderation/appeal.html",
        {
            "consultation": page.consultation,
            "message": page.message,
            "contribution": page.contribution,
            "held": page.held,
            "decision": decision,
            "rule": rule_named(page.consultation, decision.rule) if decision else None,
            "window_days": APPEAL_WINDOW.days,
            "form": state,
        },
        status_code=422 if state.errors else 200,
    )
