"""Reading pages: home, consultation, roundtable, key message with its threads, one thread."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation import services as text
from app.consultation.models import Consultation
from app.discussion.forms import blank_form
from app.discussion.loaders import consultation_from_path, contribution_from_path, key_message_from_path
from app.discussion.page_fragments import discussion_fragments
from app.discussion.publication import audience_of
from app.discussion.tallies import tallies
from app.discussion.thread_read import Node, key_message_threads, thread_replies, view_of
from app.fragments import store_fragments
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import is_htmx, render
from app.web.requests import db_of, identity_of

THREAD_PAGE_SIZE = 100


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
    cursor = request.query_params.get("after")
    if cursor and is_htmx(request):  # "Show more": just the next items
        page = await key_message_threads(
            db_of(request),
            found.message.id,
            cursor=cursor,
            page_size=request.app.state.settings.page_size,
            audience=flags["audience"],
        )
        return render(request, "discussion/_thread_items.html", {"page": page, **flags})
    fragments = await discussion_fragments(request, found, flags, cursor)
    response = render(
        request,
        "discussion/key_message.html",
        {
            "consultation": found.consultation,
            "message": found.message,
            "section": found.section,
            "footnotes": found.footnotes,
            "threads_html": fragments.threads,
            "tally_html": fragments.tally,
            "form": blank_form(),
            **flags,
        },
    )
    await store_fragments(db_of(request), fragments.to_store)
    return response


async def thread_page(request: Request) -> Response:
    context, contribution = await contribution_from_path(request)
    consultation, message = context.consultation, context.message
    db = db_of(request)
    flags = page_flags(request, consultation)
    audience = flags["audience"]
    head = await view_of(db, contribution.thread_root_id or contribution.id, audience)
    if head is None:  # the thread's first contribution is not for this reader's eyes
        head = await view_of(db, contribution.id, audience)
    assert head is not None  # contribution_from_path answered 404 otherwise
    page = await thread_replies(
        db, contribution, cursor=request.query_params.get("after"), page_size=THREAD_PAGE_SIZE, audience=audience
    )
    return render(
        request,
        "discussion/thread.html",
        {
            "consultation": consultation,
            "message": message,
            "head": Node(head),
            "page": page,
            **flags,
        },
        block="thread_page" if request.query_params.get("after") else None,
    )
