"""Publishing a position or a reply: a plain form POST that redirects, or an htmx swap."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage, PreModeration
from app.consultation.services import key_message_in_context
from app.consultation.urls import key_message_url
from app.discussion.attachments import (
    Paper,
    Upload,
    check_speaks_for_organisation,
    checked_paper,
    commit_with_paper,
    display_name,
    read_upload,
)
from app.discussion.contribution_edit import edit_deadline
from app.discussion.contribution_write import (
    Draft,
    WriteResult,
    opens_the_list,
    publish_position,
    publish_reply,
    refuse_locked,
)
from app.discussion.errors import ContributionError
from app.discussion.holding import NOBODYS_HELD, Held, premoderation_of, refuse_paper_while_held
from app.discussion.models import Contribution, HeldContribution
from app.discussion.own_contributions import time_of_day
from app.discussion.posting_limits import PostingLimits
from app.discussion.presenters import view_of, view_of_written
from app.discussion.publication import Audience, as_author, author_name
from app.discussion.quotes import quoted_passages
from app.discussion.tallies import tallies
from app.discussion.thread_read import Node
from app.discussion.web.curated import closed_by_merge
from app.discussion.web.forms import blank_form, parse_contribution
from app.discussion.web.just_published import PARAM as PUBLISHED
from app.discussion.web.loaders import contribution_from_path, key_message_from_path
from app.discussion.web.page_context import PageFlags, page_flags, positions_before_posting
from app.discussion.web.quote_marks import quote_highlights
from app.i18n import _
from app.moderation.holds import enqueue_held, withdraw_held
from app.moderation.services import ModerationError
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import is_htmx, render
from app.urls import path_for
from app.web.bot_guard import passes_as_human
from app.web.flash import flash
from app.web.forms import FormState
from app.web.requests import db_of, identity_of
from app.web.responses import see_other


async def post_contribution(request: Request) -> Response:
    context = await key_message_from_path(request)
    consultation, message = context.consultation, context.message
    identity = identity_of(request)
    require(identity, Permission.CONTRIBUTE, consultation)
    state, draft, upload, human = await _read_form(request, "position")
    if not human:
        return await _form_again(request, consultation, message, state)
    db, author = db_of(request), signed_in_user(request)
    try:
        paper = await _attached_paper(request, upload, author, draft)
        result = await publish_position(
            db,
            author=author,
            consultation=consultation,
            key_message=message,
            draft=draft,
            max_chars=request.app.state.settings.contribution_max_chars,
            limits=PostingLimits.of(request.app.state.settings),
            page_size=request.app.state.settings.page_size,
            premoderation=_premoderation(request, consultation),
        )
        if isinstance(result, Held):
            return await _held(request, consultation, message, result, paper)
    except ContributionError as error:
        return await _form_with_error(request, consultation, message, state, error)
    return await _published(request, consultation, message, result, paper, "discussion/_position_published.html")


async def post_reply(request: Request) -> Response:
    context, parent = await contribution_from_path(request)
    consultation, message = context.consultation, context.message
    identity = identity_of(request)
    require(identity, Permission.CONTRIBUTE, consultation)
    if (closed := await closed_by_merge(request, parent)) is not None:
        return closed
    state, draft, upload, human = await _read_form(request, "reply")
    if not human:
        return _render_reply_form(request, consultation, message, parent, state, status_code=422)
    db, author = db_of(request), signed_in_user(request)
    try:
        paper = await _attached_paper(request, upload, author, draft)
        result = await publish_reply(
            db,
            author=author,
            parent=parent,
            key_message=message,
            draft=draft,
            max_chars=request.app.state.settings.contribution_max_chars,
            limits=PostingLimits.of(request.app.state.settings),
            premoderation=_premoderation(request, consultation),
        )
        if isinstance(result, Held):
            return await _held(request, consultation, message, result, paper)
    except ContributionError as error:
        state.error(error.field, error.message)
        return _render_reply_form(request, consultation, message, parent, state, status_code=422)
    return await _published(request, consultation, message, result, paper, "discussion/_reply_published.html")


def _premoderation(request: Request, consultation: Consultation) -> PreModeration:
    return premoderation_of(consultation, moderator=permits(identity_of(request), Permission.MODERATE, consultation))


async def _held(
    request: Request, consultation: Consultation, message: KeyMessage, result: Held, paper: Paper | None
) -> Response:
    """Pre-moderation held the post: it waits in the queue, and its author reads it, marked as
    waiting, on the key message page (htmx navigates there too: the page's lists do not
    show it)."""
    refuse_paper_while_held(with_paper=paper is not None)
    db = db_of(request)
    if result.created:
        await enqueue_held(db, result.held)
    await db.commit()
    target = f"{key_message_url(consultation, message)}#awaiting-moderation"
    response = Response(status_code=204, headers={"HX-Redirect": target}) if is_htmx(request) else see_other(target)
    flash(
        request,
        response,
        _(
            "Your contribution is awaiting moderation: it is published once a moderator approves it. "
            "Until then only you and the moderators can read it."
        ),
    )
    return response


def _posted_from(request: Request, path: str) -> bool:
    """Whether the htmx request came from the page at `path` (htmx sends HX-Current-URL)."""
    return urlsplit(request.headers.get("HX-Current-URL", "")).path == path


async def _read_form(request: Request, form_name: str) -> tuple[FormState, Draft, Upload | None, bool]:
    """The fields and the file, read before anything else so the form's temporary files are
    closed at once (one file at most), and whether the form passes as a person's
    (app.web.bot_guard)."""
    async with request.form(max_files=1) as form:
        state, draft = parse_contribution(form)
        human = passes_as_human(request, form, state, form_name=form_name)
        upload = await read_upload(form.get("attachment"), request.app.state.settings.attachment_max_bytes)
    if upload is not None and upload.filename:
        # Browsers cannot refill a file field: should the form come back, it names the file.
        state.values["attachment_name"] = display_name(upload.filename)
    return state, draft, upload, human


async def _attached_paper(request: Request, upload: Upload | None, author: User, draft: Draft) -> Paper | None:
    """The position paper sent with the form, checked (nothing is written yet)."""
    paper = await checked_paper(upload, request.app.state.settings.attachment_max_bytes)
    if paper is not None:
        check_speaks_for_organisation(author, draft.organisation_id)
    return paper


async def _published(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    result: WriteResult,
    paper: Paper | None,
    partial: str,
) -> Response:
    """Everything the answer needs is read before the commit, in the post's one transaction;
    nothing touches the database after it (on SQLite a second transaction would take the
    write lock again, while the answer is rendered and sent)."""
    db, new = db_of(request), result.contribution
    if not is_htmx(request):
        # A position the first page lists is read there; one past it (or a reply) is shown
        # on its own (_where_to_read).
        listed = new.parent_id is None and result.opens_the_list
        if new.parent_id is None and listed is None:  # a position sent again
            listed = await opens_the_list(db, new, request.app.state.settings.page_size)
        await commit_with_paper(db, result, paper)
        return _redirect_to_read(request, consultation, message, new, listed=bool(listed))
    flags = page_flags(request, consultation)
    context = await _fragment_context(request, consultation, message, new, flags)
    audience = as_author(flags.audience)
    # A form sent again is answered with what it published, read back (it may have changed).
    resent = None if result.created else await view_of(db, new.id, audience)
    stored = await commit_with_paper(db, result, paper)
    # What was just written, as its author sees it, is not read back.
    shown = resent or view_of_written(new, audience, [stored] if stored else [], list(result.topics))
    return render(request, partial, {**context, "node": Node(shown)})


async def _fragment_context(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    new: Contribution,
    flags: PageFlags,
) -> dict[str, Any]:
    """What the htmx answer shows besides the new item; after a position, the fresh form
    and the tally (the item goes to the top of the list: just_published)."""
    context = {
        "consultation": consultation,
        "message": message,
        "highlighted_words": await _highlights_after(request, consultation, message, new, flags.audience),
        "notice": _("Your contribution is published."),
        **flags.as_context(),
    }
    if new.parent_id is None:
        context |= {
            "tally": (await tallies(db_of(request), [message.id]))[message.id],
            "form": blank_form(),
            "current_positions": await positions_before_posting(request, message),
        }
    return context


async def _highlights_after(
    request: Request, consultation: Consultation, message: KeyMessage, new: Contribution, audience: Audience
) -> Markup | None:
    """A new quote shows at once in the key message text, if the page the reader posted from
    shows that text (htmx would log a missing swap target on a thread page)."""
    on_key_message = new.parent_id is None or _posted_from(request, key_message_url(consultation, message))
    if not (new.quote_text and on_key_message):
        return None
    return quote_highlights(consultation, message, await quoted_passages(db_of(request), message.id, audience))


def _redirect_to_read(
    request: Request, consultation: Consultation, message: KeyMessage, new: Contribution, *, listed: bool
) -> Response:
    response = see_other(f"{_where_to_read(consultation, message, new, listed=listed)}#c{new.id}")
    deadline = edit_deadline(new, request.app.state.settings.edit_window_minutes)
    flash(request, response, _("Your contribution is published.") + " " + _edit_hint(deadline))
    return response


def _edit_hint(deadline: datetime) -> str:
    return _(
        "You can still edit it until %(time)s: open it by its date, or find it under “Your contributions” "
        "in your account.",
        time=time_of_day(deadline),
    )


def _where_to_read(consultation: Consultation, message: KeyMessage, new: Contribution, *, listed: bool) -> str:
    """A reply may sit deeper or later than any list shows, so it is read on its own page,
    which links up to what it answers. A position is read on the key message page, the page
    its author posted from: in the list when the first page has it, else at its top."""
    if new.parent_id is not None:
        return path_for("thread", contribution_id=new.id)
    page = key_message_url(consultation, message)
    return page if listed else f"{page}?{urlencode({PUBLISHED: new.id})}"


async def _form_with_error(
    request: Request, consultation: Consultation, message: KeyMessage, state: FormState, error: ContributionError
) -> Response:
    state.error(error.field, error.message)
    return await _form_again(request, consultation, message, state)


async def _form_again(request: Request, consultation: Consultation, message: KeyMessage, state: FormState) -> Response:
    """The position form with what the person wrote and what stopped it (nothing was written)."""
    context: dict[str, Any] = {
        "consultation": consultation,
        "message": message,
        "form": state,
        "current_positions": await positions_before_posting(request, message),
        **page_flags(request, consultation).as_context(),
    }
    # The form partial alone answers an htmx swap; without JavaScript it sits in a full page.
    template = "discussion/_contribution_form.html" if is_htmx(request) else "discussion/contribute.html"
    return render(request, template, context, status_code=422)


async def reply_form(request: Request) -> Response:
    """The reply form on its own page (no JavaScript) or as a fragment under the contribution."""
    context, parent = await contribution_from_path(request)
    consultation, message = context.consultation, context.message
    require(identity_of(request), Permission.CONTRIBUTE, consultation)
    if (closed := await closed_by_merge(request, parent)) is not None:
        return closed
    form = blank_form()
    try:  # a page read before the lock still links here: say so before anything is written
        refuse_locked(parent)
    except ContributionError as error:
        form.error(error.field, error.message)
    return _render_reply_form(request, consultation, message, parent, form)


def _render_reply_form(
    request: Request,
    consultation: Consultation,
    message: KeyMessage,
    parent: Contribution,
    form: FormState,
    *,
    status_code: int = 200,
) -> Response:
    flags = page_flags(request, consultation)
    context = {
        "consultation": consultation,
        "message": message,
        "parent": parent,
        # Who the reply answers, as publication consent allows this reader to know.
        "parent_name": author_name(parent, flags.audience),
        "form": form,
    }
    return render(
        request,
        "discussion/reply.html",
        {**context, **flags.as_context()},
        block="reply_form",
        status_code=status_code,
    )


async def withdraw_held_contribution(request: Request) -> Response:
    """The author takes back a contribution awaiting moderation, from the key message page."""
    db = db_of(request)
    held = await db.get(HeldContribution, request.path_params["held_id"])
    require(identity_of(request), Permission.EDIT_OWN_CONTRIBUTION, held or NOBODYS_HELD)
    assert held is not None  # only its author passes
    found = await key_message_in_context(db, key_message_id=held.key_message_id)
    assert found is not None  # a held contribution always has a key message (foreign key)
    response = see_other(key_message_url(found.consultation, found.message))
    try:
        await withdraw_held(db, author=signed_in_user(request), held_id=held.id)
    except ModerationError as error:  # a moderator decided it meanwhile
        flash(request, response, error.message)
        return response
    await db.commit()
    flash(request, response, _("Your contribution is withdrawn: it will not be published."))
    return response
