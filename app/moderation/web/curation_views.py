"""Moderators curate: pin a contribution as a highlight of its key message (or unpin it),
write the moderation team's summary of a thread, merge a duplicate thread into another;
anyone reads the summary's versions."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consultation.services import KeyMessageInContext
from app.discussion.models import Contribution
from app.discussion.web.loaders import contribution_from_path
from app.i18n import _
from app.moderation.curation import highlight_of, pin, unpin
from app.moderation.merges import merge_thread, merged_into, thread_number
from app.moderation.models import ThreadSummary
from app.moderation.services import ModerationError
from app.moderation.summaries import MAX_SUMMARY_CHARS, SummaryConflict, save_summary, summary_of, summary_versions
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, text_values
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def highlight(request: Request) -> Response:
    """The contribution's highlight: the form to pin it (GET shows it, POST pins)."""
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.PIN_HIGHLIGHT)
    state = FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "reason")
        try:
            pinned = await pin(
                db_of(request),
                moderator=signed_in_user(request),
                contribution=contribution,
                reason=state.values["reason"],
            )
        except ModerationError as error:
            state.error(error.field, error.message)
        else:
            done = _("Pinned: it is shown first on the key message.")
            return await _back_to_highlights(request, context, done if pinned else _("It is a highlight already."))
    return await _highlight_page(request, context, contribution, pin_form=state)


async def unpin_highlight(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    require(identity_of(request), Permission.PIN_HIGHLIGHT)
    state = FormState(values=text_values(await request.form(), "reason"))
    try:
        unpinned = await unpin(
            db_of(request), moderator=signed_in_user(request), contribution=contribution, reason=state.values["reason"]
        )
    except ModerationError as error:
        state.error(error.field, error.message)
        return await _highlight_page(request, context, contribution, unpin_form=state)
    return await _back_to_highlights(request, context, _("Unpinned.") if unpinned else _("It was not a highlight."))


async def _back_to_highlights(request: Request, context: KeyMessageInContext, message: str) -> Response:
    await db_of(request).commit()
    slug, ref = context.consultation.slug, context.message.ref
    response = see_other(f"{path_for('key_message', slug=slug, ref=ref)}#highlights")
    flash(request, response, message)
    return response


async def _highlight_page(
    request: Request,
    context: KeyMessageInContext,
    contribution: Contribution,
    *,
    pin_form: FormState | None = None,
    unpin_form: FormState | None = None,
) -> Response:
    pin_form, unpin_form = pin_form or FormState(), unpin_form or FormState()
    return render(
        request,
        "moderation/highlight.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "contribution": contribution,
            "highlight": await highlight_of(db_of(request), contribution.id),
            "pin_form": pin_form,
            "unpin_form": unpin_form,
        },
        status_code=422 if pin_form.errors or unpin_form.errors else 200,
    )


async def edit_summary(request: Request) -> Response:
    """The summary's form: its current text and the version it is, which a save must name."""
    context, root = await contribution_from_path(request)
    require(identity_of(request), Permission.SUMMARISE_THREAD)
    if root.parent_id is not None:
        raise HTTPException(status_code=404)  # only a thread's first contribution has a summary
    db = db_of(request)
    current = await summary_of(db, root.id)
    version = str(current.version if current else 0)
    state = FormState(values={"body": current.body_source if current else "", "version": version})
    if request.method == "GET":
        return _summary_page(request, context, root, state, current)
    state.values = text_values(await request.form(), "body", "version")
    try:
        saved = await save_summary(
            db, moderator=signed_in_user(request), root=root, body=state.values["body"], edited_version=_version(state)
        )
    except SummaryConflict as conflict:
        state.values["version"] = str(conflict.current.version)  # saving again now replaces it, knowingly
        state.error("body", _conflict_message())
        return _summary_page(request, context, root, state, conflict.current, conflict=True)
    except ModerationError as error:
        state.error(error.field, error.message)
        return _summary_page(request, context, root, state, current)
    await db.commit()
    response = see_other(f"{path_for('thread', contribution_id=root.id)}#summary")
    flash(request, response, _("The summary is saved.") if saved else _("Nothing changed: that is the summary."))
    return response


def _conflict_message() -> str:
    return _(
        "Another moderator saved the summary while you were editing it. Your text is kept here; "
        "their version is shown below. Merge the two and save again."
    )


def _summary_page(
    request: Request,
    context: KeyMessageInContext,
    root: Contribution,
    form: FormState,
    current: ThreadSummary | None,
    *,
    conflict: bool = False,
) -> Response:
    return render(
        request,
        "moderation/summary_form.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "root": root,
            "form": form,
            "current": current,
            "conflict": conflict,
            "max_chars": MAX_SUMMARY_CHARS,
        },
        status_code=409 if conflict else 422 if form.errors else 200,
    )


def _version(state: FormState) -> int:
    """The version the form was opened at (0: there was no summary yet)."""
    value = state.values["version"]
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise ModerationError("body", _("This form is out of date: open it again from the thread."))
    return int(value)


async def summary_history(request: Request) -> Response:
    """Every version of a thread's summary, for anyone who may read the thread; who wrote
    each version is shown to moderators only."""
    context, root = await contribution_from_path(request)
    db = db_of(request)
    summary = await summary_of(db, root.id)
    if summary is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        "moderation/summary_history.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "summary": summary,
            "versions": await summary_versions(db, summary.id),
            "show_writers": permits(identity_of(request), Permission.SUMMARISE_THREAD),
        },
    )


async def merge(request: Request) -> Response:
    """Merge the thread this contribution starts into another (GET shows the form)."""
    context, root = await contribution_from_path(request)
    require(identity_of(request), Permission.MERGE_THREAD)
    if root.parent_id is not None:
        raise HTTPException(status_code=404)  # only a whole thread is merged
    db, state = db_of(request), FormState()
    if request.method == "POST":
        state.values = text_values(await request.form(), "into", "reason")
        try:
            into_id = thread_number(state.values["into"])
            merged = await merge_thread(
                db, moderator=signed_in_user(request), root=root, into_id=into_id, reason=state.values["reason"]
            )
        except ModerationError as error:
            state.error(error.field, error.message)
        else:
            await db.commit()
            response = see_other(f"{path_for('thread', contribution_id=root.id)}#merged")
            flash(request, response, _("Merged.") if merged else _("Nothing changed: the thread was merged already."))
            return response
    variables = {"consultation": context.consultation, "message": context.message, "root": root, "form": state}
    variables["merged_into"] = await merged_into(db, root)
    return render(request, "moderation/merge.html", variables, status_code=422 if state.errors else 200)
