"""Hide or restore a contribution, with a reason readers will see."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import User
from app.discussion.loaders import contribution_from_path
from app.discussion.models import Contribution
from app.discussion.write_views import key_message_url
from app.i18n import _
from app.moderation.models import ModerationAction
from app.moderation.services import ModerationError, moderation_history, set_visibility
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of, signed_in_user
from app.web.responses import see_other


async def moderate(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    consultation, message = context.consultation, context.message
    identity = identity_of(request)
    require(identity, Permission.MODERATE)
    db = db_of(request)
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "action", "reason")
        changed = await _decide(db, signed_in_user(request), contribution, state)
        if changed is not None:
            await db.commit()
            response = see_other(f"{key_message_url(consultation, message)}#c{contribution.id}")
            flash(
                request,
                response,
                _("Done: the contribution is now %(status)s.", status=contribution.status.value)
                if changed
                else _("Nothing changed: the contribution was already in that state."),
            )
            return response
    return render(
        request,
        "moderation/moderate.html",
        {
            "consultation": consultation,
            "message": message,
            "contribution": contribution,
            "form": state,
            "history": await moderation_history(db, contribution.id),
        },
        status_code=422 if state.errors else 200,
    )


async def _decide(db: AsyncSession, moderator: User, contribution: Contribution, state: FormState) -> bool | None:
    """Apply the submitted decision; None (with errors in `state`) when it cannot be applied."""
    try:
        action = ModerationAction(state.values["action"])
        return await set_visibility(
            db, moderator=moderator, contribution=contribution, action=action, reason=state.values["reason"]
        )
    except ValueError:
        state.error("action", _("Choose whether to hide or restore the contribution."))
    except ModerationError as error:
        state.error(error.field, error.message)
    return None
