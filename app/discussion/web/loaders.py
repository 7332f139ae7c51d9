"""Loading what a URL names, with the read permission applied (404 for the unseen)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.consultation.models import Consultation, Topic
from app.consultation.services import KeyMessageInContext, consultation_by_slug, key_message_in_context
from app.discussion.models import Contribution
from app.discussion.publication import Audience, as_author, audience_of, is_listed_for
from app.discussion.thread_read import contribution_with_people, readable_among
from app.discussion.topics import topic_named
from app.i18n import current_locale
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.urls import path_for
from app.web.requests import db_of, identity_of


def _readable(request: Request, consultation: Consultation | None) -> Consultation:
    if consultation is None:
        raise HTTPException(status_code=404)
    require(identity_of(request), Permission.READ_CONSULTATION, consultation, hide=True)
    return consultation


async def consultation_from_path(request: Request) -> Consultation:
    """The consultation with its whole document."""
    return _readable(request, await consultation_by_slug(db_of(request), request.path_params["slug"]))


async def topic_from_path(request: Request) -> tuple[Consultation, Topic]:
    """The consultation and its topic named by `{topic_slug}`; 404 for a slug not in its vocabulary."""
    consultation = await consultation_from_path(request)
    topic = topic_named(consultation.topics, request.path_params["topic_slug"])
    if topic is None:
        raise HTTPException(status_code=404)
    return consultation, topic


async def key_message_from_path(request: Request) -> KeyMessageInContext:
    found = await key_message_in_context(
        db_of(request), slug=request.path_params["slug"], ref=request.path_params["ref"], locale=current_locale.get()
    )
    if found is None:
        raise HTTPException(status_code=404)
    _readable(request, found.consultation)
    return found


async def contribution_from_path(request: Request) -> tuple[KeyMessageInContext, Contribution]:
    """The contribution with its author and organisation, and its key message in context."""
    contribution = await contribution_with_people(db_of(request), request.path_params["contribution_id"])
    if contribution is None:
        raise HTTPException(status_code=404)
    found = await key_message_in_context(db_of(request), key_message_id=contribution.key_message_id)
    assert found is not None  # a contribution always has a key message (foreign key)
    _readable(request, found.consultation)
    if not is_listed_for(contribution.publication, audience_reading(request, contribution)):
        raise HTTPException(status_code=404)  # not for publication, and this reader may not see it
    return found, contribution


def audience_reading(request: Request, contribution: Contribution) -> Audience:
    """Whose eyes read this one contribution: its author also sees it when it is not for
    publication."""
    identity = identity_of(request)
    audience = audience_of(identity)
    return as_author(audience) if permits(identity, Permission.READ_OWN_CONTRIBUTION, contribution) else audience


async def readable_ids(request: Request, ids: Iterable[int | None]) -> set[int]:
    """Which of these contributions the person reading may open (app.discussion.thread_read)."""
    identity = identity_of(request)
    reader_id = identity.user.id if identity.user is not None else None
    return await readable_among(db_of(request), ids, audience_of(identity), reader_id)


async def thread_url(request: Request, contribution: Contribution) -> str:
    """Where to read a contribution in its conversation: on the page of the thread's start
    when the reader may open it, else on its own page (never a link to what is unpublished)."""
    root = contribution.thread_root_id
    page = root if root is not None and root in await readable_ids(request, [root]) else contribution.id
    return f"{path_for('thread', contribution_id=page)}#c{contribution.id}"
