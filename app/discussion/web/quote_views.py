"""The page listing the contributions that quote one passage of a key message (the marks in
the key message text are drawn by quote_marks.py)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import KeyMessage
from app.discussion.quotes import count_quoting, quoting_contributions
from app.discussion.topics import topic_named
from app.discussion.web.loaders import key_message_from_path
from app.discussion.web.page_context import page_flags
from app.discussion.web.quote_marks import passage_url
from app.templating import render
from app.text.footnotes import strip_footnote_markers
from app.text.highlight import Mark, highlighted
from app.web.requests import db_of


def _passage_in(request: Request, message: KeyMessage) -> tuple[int, int]:
    """The range named in the URL: 400 when it is no range, 404 when it is past the text."""
    start, end = request.path_params["start"], request.path_params["end"]
    if end <= start:
        raise HTTPException(status_code=400)
    if end > len(strip_footnote_markers(message.text)):
        raise HTTPException(status_code=404)
    return start, end


async def passage_page(request: Request) -> Response:
    found = await key_message_from_path(request)
    passage = _passage_in(request, found.message)
    flags = page_flags(request, found.consultation)
    db, cursor = db_of(request), request.query_params.get("after")
    topic = topic_named(found.consultation.topics, request.query_params.get("topic"))
    page = await quoting_contributions(
        db,
        found.message.id,
        passage,
        audience=flags.audience,
        cursor=cursor,
        page_size=request.app.state.settings.page_size,
        topic_id=topic.id if topic else None,
    )
    context = {
        "consultation": found.consultation,
        "message": found.message,
        "footnotes": found.footnotes,
        "passage_text": highlighted(found.message.text, [Mark(*passage)]),
        "passage_url": passage_url(found.consultation, found.message, *passage),
        "total": await count_quoting(db, found.message.id, passage, flags.audience, topic.id if topic else None),
        "topic": topic.slug if topic else None,
        "page": page,
        **flags.as_context(),
    }
    return render(request, "discussion/passage.html", context, block="passage_items" if cursor else None)
