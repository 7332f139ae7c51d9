"""Quoted passages on the page: highlights in the key message text, and the page listing the
contributions that quote one passage."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import Consultation, KeyMessage
from app.consultation.urls import key_message_url
from app.discussion.loaders import key_message_from_path
from app.discussion.quotes import QuotedPassage, count_quoting, quoting_contributions
from app.discussion.topics import topic_named
from app.discussion.views import page_flags
from app.i18n import ngettext
from app.templating import render
from app.web.highlight import Mark, highlighted
from app.web.requests import db_of
from app.web.text import strip_footnote_markers


def passage_url(consultation: Consultation, message: KeyMessage, start: int, end: int) -> str:
    return f"{key_message_url(consultation, message)}/passages/{start}-{end}"


def quote_highlights(consultation: Consultation, message: KeyMessage, passages: Sequence[QuotedPassage]) -> Markup:
    """The key message text with each quoted passage marked and followed by a link to what
    quotes it: the contribution itself when there is one, else the passage page. The link
    sits after the mark, not around it, so the text stays selectable for quoting and the
    footnote links inside a passage stay links."""
    length = len(strip_footnote_markers(message.text))
    marks = [Mark(p.start, p.end, _link(consultation, message, p)) for p in passages if p.end <= length]
    return highlighted(message.text, marks)


def _link(consultation: Consultation, message: KeyMessage, passage: QuotedPassage) -> Markup:
    label = ngettext("Quoted by %(num)s contribution", "Quoted by %(num)s contributions", passage.count)
    if passage.contribution_id is not None:
        href = f"/contributions/{passage.contribution_id}"
    else:
        href = passage_url(consultation, message, passage.start, passage.end)
    return Markup(
        '<a class="quoted-by" href="{href}" title="{label}" data-quote-skip>'
        '<span aria-hidden="true">{count}</span><span class="visually-hidden">{label}</span></a>'
    ).format(href=href, label=label, count=passage.count)


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
        audience=flags["audience"],
        cursor=cursor,
        page_size=request.app.state.settings.page_size,
        topic_id=topic.id if topic else None,
    )
    context = {
        "consultation": found.consultation,
        "message": found.message,
        "footnotes": found.footnotes,
        "passage_text": highlighted(found.message.text, [Mark(*passage)]),
        "total": await count_quoting(db, found.message.id, passage, flags["audience"], topic.id if topic else None),
        "topic": topic.slug if topic else None,
        "page": page,
        **flags,
    }
    return render(request, "discussion/passage.html", context, block="passage_items" if cursor else None)
