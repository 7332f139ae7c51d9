"""Reading pages: home, consultation, roundtable, key message with its threads, one thread."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation import services as text
from app.consultation.models import Consultation, KeyMessage
from app.discussion.contribution_views import view_of
from app.discussion.edit_views import author_actions_for
from app.discussion.forms import blank_form
from app.discussion.list_order import parse_list_query
from app.discussion.loaders import (
    audience_reading,
    consultation_from_path,
    contribution_from_path,
    key_message_from_path,
    readable_ids,
)
from app.discussion.page_fragments import LIST_ID, discussion_fragments, discussion_list
from app.discussion.publication import audience_of
from app.discussion.supersession import CurrentPosition, current_positions
from app.discussion.tallies import tallies
from app.discussion.thread_read import Node
from app.discussion.thread_tree import subthread_page
from app.fragments import store_fragments
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import is_htmx, render
from app.web.requests import db_of, identity_of


def page_flags(request: Request, consultation: Consultation) -> dict[str, Any]:
    """What the person may do on a discussion page, for the templates to offer, and whose
    eyes the page is for (publication consent). Cached fragments are keyed by these."""
    identity = identity_of(request)
    return {
        "may_contribute": permits(identity, Permission.CONTRIBUTE, consultation),
        "may_endorse": identity.user is not None
        and bool(identity.user.memberships)
        and permits(identity, Permission.ENDORSE, consultation),
        "may_moderate": permits(identity, Permission.MODERATE),
        "may_retag": permits(identity, Permission.RETAG),
        "may_see_hidden": permits(identity, Permission.SEE_HIDDEN_BODY),
        "audience": audience_of(identity),
        "max_chars": request.app.state.settings.contribution_max_chars,
    }


async def positions_before_posting(request: Request, message: KeyMessage) -> list[CurrentPosition]:
    """The current positions a new one from this person could replace, for the form to show
    before they post (none for readers who are not signed in)."""
    user = identity_of(request).user
    return [] if user is None else await current_positions(db_of(request), message.id, user)


async def home(request: Request) -> Response:
    identity = identity_of(request)
    consultations = await text.list_consultations(
        db_of(request), include_drafts=permits(identity, Permission.SEE_DRAFTS)
    )
    ids = [m.id for c in consultations for m in text.all_key_messages(c)]
    return render(
        request,
        "discussion/home.html",
        {
            "consultations": consultations,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables,
        },
    )


async def consultation_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    ids = [m.id for m in text.all_key_messages(consultation)]
    return render(
        request,
        "discussion/consultation.html",
        {
            "consultation": consultation,
            "tallies": await tallies(db_of(request), ids),
            "roundtables": text.roundtables(consultation),
            "footnotes": consultation.footnotes,
            "may_export": permits(identity_of(request), Permission.EXPORT, consultation),
        },
    )


async def roundtable_page(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    section = text.section_by_ref(consultation, request.path_params["ref"])
    if section is None or not section.key_messages:
        raise HTTPException(status_code=404)
    children = text.subsections(consultation, section)
    cited = [p.text for s in [section, *children] for p in s.paragraphs] + [m.text for m in section.key_messages]
    return render(
        request,
        "discussion/roundtable.html",
        {
            "consultation": consultation,
            "section": section,
            "subsections": children,
            "footnotes": text.cited_footnotes(consultation, *cited),
            "tallies": await tallies(db_of(request), [m.id for m in section.key_messages]),
        },
    )


async def key_message_page(request: Request) -> Response:
    found = await key_message_from_path(request)
    flags = page_flags(request, found.consultation)
    query = parse_list_query(request.query_params, [topic.slug for topic in found.consultation.topics])
    if is_htmx(request) and (query.cursor or request.headers.get("hx-target") == LIST_ID):
        # "Show more" swaps in the next items; the sort and topic form, the whole list.
        context = await discussion_list(request, found, flags, query)
        return render(request, "discussion/_thread_items.html" if query.cursor else "discussion/_threads.html", context)
    fragments = await discussion_fragments(request, found, flags, query)
    response = render(
        request,
        "discussion/key_message.html",
        {
            "consultation": found.consultation,
            "message": found.message,
            "section": found.section,
            "footnotes": found.footnotes,
            "text_html": fragments.text,
            "threads_html": fragments.threads,
            "tally_html": fragments.tally,
            "list_query": query,
            "form": blank_form(),
            "current_positions": await positions_before_posting(request, found.message),
            **flags,
        },
    )
    await store_fragments(db_of(request), fragments.to_store)
    return response


async def thread_page(request: Request) -> Response:
    """A contribution and the conversation under it, as deep as settings.thread_depth; the
    "continue this thread" links of its deepest replies lead to their own thread pages."""
    context, contribution = await contribution_from_path(request)
    flags, settings, db = page_flags(request, context.consultation), request.app.state.settings, db_of(request)
    head = await view_of(db, contribution.id, audience_reading(request, contribution))
    assert head is not None  # contribution_from_path answered 404 otherwise
    cursor = request.query_params.get("after")
    page = await subthread_page(
        db,
        head,
        cursor=cursor,
        page_size=settings.page_size,
        audience=flags["audience"],
        depth_limit=settings.thread_depth,
    )
    return render(
        request,
        "discussion/thread.html",
        {
            "consultation": context.consultation,
            "message": context.message,
            "head": Node(head),
            # The parent and the thread's start are linked only if the reader may open them.
            "readable": await readable_ids(request, [head.parent_id, head.thread_root_id]),
            "page": page,
            "author_actions": author_actions_for(request, contribution, context.consultation),
            **flags,
        },
        block="thread_page" if cursor else None,
    )
