"""Reading by topic: the consultation's vocabulary with counts, and one topic's contributions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.consultation.services import all_key_messages
from app.discussion.topic_read import contributions_on_topic, count_on_topic, topic_counts
from app.discussion.web.loaders import consultation_from_path, readable_ids, topic_from_path
from app.discussion.web.page_context import page_flags
from app.templating import render
from app.web.requests import db_of


async def topics_index(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    flags = page_flags(request, consultation)
    counts = await topic_counts(db_of(request), consultation, flags.audience)
    return render(request, "discussion/topics.html", {"consultation": consultation, "counts": counts})


async def topic_page(request: Request) -> Response:
    consultation, topic = await topic_from_path(request)
    flags = page_flags(request, consultation)
    db, after = db_of(request), request.query_params.get("after")
    page = await contributions_on_topic(
        db, topic, cursor=after, page_size=request.app.state.settings.page_size, audience=flags.audience
    )
    return render(
        request,
        "discussion/topic.html",
        {
            "consultation": consultation,
            "topic": topic,
            "page": page,
            "total": await count_on_topic(db, topic, flags.audience),
            "refs": {message.id: message.ref for message in all_key_messages(consultation)},
            # A reply's thread is read from its start only if the reader may open that.
            "readable_roots": await readable_ids(request, [node.contribution.thread_root_id for node in page.nodes]),
            **flags.as_context(),
        },
        block="topic_items" if after else None,
    )
