"""The reader's own position, just published, shown at the top of the key message's list.

The list cannot show it there: it is shared by every reader (page_fragments) and, in its
order, a new position may be pages away (oldest first) or filtered out (another topic). So
the author's page carries it in a block of its own: the htmx answer to the post fills it,
and without JavaScript the redirect names it (?published=<id>) when the first page does not
list it. A reload without the parameter shows the list as everyone reads it."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request

from app.consultation.models import KeyMessage
from app.discussion.contribution_write import opens_the_list
from app.discussion.list_order import ListQuery
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import view_of
from app.discussion.publication import Audience, as_author
from app.discussion.thread_read import Node
from app.web.numbers import parse_id
from app.web.requests import db_of, identity_of

#: The query parameter of the redirect after a position that the first page does not list.
PARAM = "published"


async def just_published(request: Request, message: KeyMessage, query: ListQuery, audience: Audience) -> Node | None:
    """The position ?published= names, when the reader wrote it on this key message, it is
    visible, and the list shown does not have it (the redirect names it only then, but an
    address may be kept, and a contribution is shown once). An address may be shared too:
    for anyone else it shows nothing more."""
    wanted, user = parse_id(request.query_params.get(PARAM)), identity_of(request).user
    if wanted is None or user is None or not query.is_default:
        return None
    db = db_of(request)
    mine = await db.scalar(
        select(Contribution).where(
            Contribution.id == wanted,
            Contribution.author_id == user.id,
            Contribution.key_message_id == message.id,
            Contribution.parent_id.is_(None),
            Contribution.status == ContributionStatus.VISIBLE,
        )
    )
    if mine is None or await opens_the_list(db, mine, request.app.state.settings.page_size):
        return None
    view = await view_of(db, wanted, as_author(audience))
    return Node(view) if view is not None else None
