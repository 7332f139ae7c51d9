"""The live news endpoint that key message pages poll (app/discussion/live.py): a GET with
no side effects, as cheap as one indexed read while nothing changes."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import KeyMessage
from app.discussion.live import News, latest_contribution_id, live_state, news_since, poller, topic_id_by_slug
from app.discussion.web.page_context import page_flags
from app.security.permissions import Permission
from app.security.policy import require
from app.templating import render
from app.web.numbers import parse_number
from app.web.requests import db_of, identity_of


async def live_news(request: Request) -> Response:
    """204 while the discussion is at the page's version (`v`); else what was written after
    the page's newest id (`after`) and a new poller. Without a usable `after` the answer is
    just a poller that starts from now."""
    db, params = db_of(request), request.query_params
    state = await live_state(db, request.path_params["slug"], request.path_params["ref"])
    if state is None:
        raise HTTPException(status_code=404)
    require(identity_of(request), Permission.READ_CONSULTATION, state.consultation, hide=True)
    version, after = parse_number(params.get("v")), parse_number(params.get("after"))
    if after is not None and version == state.version:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    message = await db.get_one(KeyMessage, state.key_message_id)
    flags = page_flags(request, state.consultation)
    topic = params.get("topic") or None
    if after is None:
        news = News([], {}, await latest_contribution_id(db, state.key_message_id), complete=True)
    else:
        user = identity_of(request).user
        news = await news_since(
            db,
            state.key_message_id,
            after=after,
            audience=flags.audience,
            reader_id=user.id if user is not None else None,
            topic_id=await topic_id_by_slug(db, state.consultation.id, topic),
        )
    live = poller(
        state.consultation,
        message,
        # With more waiting than one answer carries, the next poll must not answer 204.
        version=state.version if news.complete else -1,
        after=news.last_id,
        topic=topic,
        seconds=request.app.state.settings.live_poll_seconds,
    )
    context = {"consultation": state.consultation, "message": message, "news": news, "live": live, **flags.as_context()}
    return render(request, "discussion/_live.html", context)
