"""Hide or restore a contribution, or correct its topics, with a reason readers will see."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.models import User
from app.consultation.services import KeyMessageInContext
from app.discussion.labels import contribution_labels
from app.discussion.models import Contribution
from app.discussion.publication import audience_of, author_name
from app.discussion.topics import topic_slugs_of
from app.discussion.web.loaders import contribution_from_path
from app.i18n import _
from app.mail.services import send_pending
from app.moderation.models import ModerationAction
from app.moderation.notices import tell_about_decision
from app.moderation.rules import chosen_rule, rules_of
from app.moderation.services import ModerationError, moderation_history, retag, set_visibility
from app.moderation.threads import set_thread_lock
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def moderate(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    identity = identity_of(request)
    require(identity, Permission.MODERATE)
    db = db_of(request)
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "action", "reason", "rule")
        settings = request.app.state.settings
        changed = await _decide(db, signed_in_user(request), context, contribution, state, settings.base_url)
        if changed is not None:
            await db.commit()
            # Back to the same contribution: its own page always shows it (the key message
            # page may show it on a later page, or deep in a thread).
            response = see_other(f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}")
            response.background = BackgroundTask(send_pending, db, settings)
            flash(
                request,
                response,
                _("Done: the contribution is now %(status)s.", status=contribution.status.value)
                if changed
                else _("Nothing changed: the contribution was already in that state."),
            )
            return response
    return await _moderation_page(request, context, contribution, form=state)


async def lock_thread(request: Request) -> Response:
    """Moderators lock a thread (or unlock it) with a reason, from a contribution of it."""
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.MODERATE)
    state = FormState(values=text_values(await request.form(), "lock", "lock_reason"))
    db = db_of(request)
    try:
        entry = await set_thread_lock(
            db,
            moderator=signed_in_user(request),
            contribution=contribution,
            lock=state.values["lock"] != "unlock",
            reason=state.values["lock_reason"],
        )
    except ModerationError as error:
        state.error("lock_reason", error.message)
        return await _moderation_page(request, context, contribution, lock_form=state, status_code=422)
    await db.commit()
    response = see_other(f"{path_for('thread', contribution_id=contribution.id)}#c{contribution.id}")
    locked = contribution.locked_at is not None
    if entry is None:
        flash(request, response, _("Nothing changed: the thread was already so."))
    else:
        flash(request, response, _("The thread is locked.") if locked else _("The thread takes replies again."))
    return response


async def retag_contribution(request: Request) -> Response:
    """Moderators correct the topics a contribution is tagged with; the reason is logged."""
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.RETAG)
    submitted = await request.form()
    state = FormState(values=text_values(submitted, "reason"))
    state.values["topics"] = ",".join(value for value in submitted.getlist("topics") if isinstance(value, str))
    db = db_of(request)
    try:
        changed = await retag(
            db,
            moderator=signed_in_user(request),
            contribution=contribution,
            topics=[slug for slug in state.values["topics"].split(",") if slug],
            reason=state.values["reason"],
        )
    except ModerationError as error:
        state.error(error.field, error.message)
        return await _moderation_page(request, context, contribution, retag_form=state, status_code=422)
    await db.commit()
    response = see_other(path_for("moderate", contribution_id=contribution.id))
    flash(
        request, response, _("The topics are corrected.") if changed else _("Nothing changed: those were its topics.")
    )
    return response


async def _moderation_page(
    request: Request,
    context: KeyMessageInContext,
    contribution: Contribution,
    *,
    form: FormState | None = None,
    retag_form: FormState | None = None,
    lock_form: FormState | None = None,
    status_code: int | None = None,
) -> Response:
    db = db_of(request)
    if retag_form is None:
        retag_form = FormState(values={"topics": ",".join(await topic_slugs_of(db, contribution.id))})
    form = form or FormState()
    return render(
        request,
        "moderation/moderate.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "contribution": contribution,
            # Moderators may read every name (app.discussion.publication); an erased author's
            # name is gone, and the page says so as every other page does.
            "author_name": author_name(contribution, audience_of(identity_of(request)))
            or contribution_labels()["former_participant"],
            "form": form,
            "retag_form": retag_form,
            "lock_form": lock_form or FormState(),
            "may_retag": permits(identity_of(request), Permission.RETAG),
            "history": await moderation_history(db, contribution.id),
            "rules": rules_of(context.consultation),
        },
        status_code=status_code or (422 if form.errors else 200),
    )


async def _decide(
    db: AsyncSession,
    moderator: User,
    context: KeyMessageInContext,
    contribution: Contribution,
    state: FormState,
    base_url: str,
) -> bool | None:
    """Apply the submitted decision and tell whom it concerns; None (with errors in `state`)
    when it cannot be applied."""
    try:
        action = ModerationAction(state.values["action"])
        if action not in (ModerationAction.HIDE, ModerationAction.RESTORE):
            raise ValueError(action)
        entry = await set_visibility(
            db,
            moderator=moderator,
            contribution=contribution,
            action=action,
            reason=state.values["reason"],
            rule=chosen_rule(context.consultation, state.values["rule"]),
        )
        if entry is not None:
            await tell_about_decision(db, entry, contribution, base_url=base_url)
        return entry is not None
    except ValueError:
        state.error("action", _("Choose whether to hide or restore the contribution."))
    except ModerationError as error:
        state.error(error.field, error.message)
    return None
