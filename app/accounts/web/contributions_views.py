"""A person's own contributions, newest first, with what each still allows (edit, withdraw)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.db import utcnow
from app.discussion.own_contributions import own_contributions, own_topics
from app.discussion.topics import topic_named
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.web.requests import db_of, identity_of


async def my_contributions(request: Request) -> Response:
    require(identity_of(request), Permission.MANAGE_OWN_ACCOUNT)
    settings, db, author_id = request.app.state.settings, db_of(request), signed_in_user(request).id
    topics = await own_topics(db, author_id)
    chosen = topic_named(topics, request.query_params.get("topic"))
    topic = chosen.slug if chosen else None
    page = await own_contributions(
        db,
        author_id,
        cursor=request.query_params.get("before"),
        topic=topic,
        page_size=settings.page_size,
        window_minutes=settings.edit_window_minutes,
        now=utcnow(),
    )
    context = {"page": page, "window": settings.edit_window_minutes, "topic_choices": topics, "topic": topic}
    return render(request, "accounts/my_contributions.html", context)
