"""The public "what we heard" page of a key message (app.consolidation.outcome)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consolidation.outcome import (
    heard_contributions,
    public_among,
    public_state_labels,
    publishes_outcome,
    reflected_counts,
)
from app.consolidation.revisions import current_wording
from app.discussion.publication import PUBLIC
from app.discussion.tallies import tallies
from app.discussion.web.loaders import key_message_from_path
from app.templating import render
from app.text.footnotes import strip_footnote_markers
from app.web.numbers import parse_id
from app.web.requests import db_of


async def what_we_heard(request: Request) -> Response:
    """404 until the consultation is closed and allows it: the page does not exist before."""
    found = await key_message_from_path(request)
    if not publishes_outcome(found.consultation):
        raise HTTPException(status_code=404)
    db, message = db_of(request), found.message
    wording = await current_wording(db, message.id)
    context = {
        "consultation": found.consultation,
        "message": message,
        "section": found.section,
        "audience": PUBLIC,
        "tally": (await tallies(db, [message.id]))[message.id],
        "original": strip_footnote_markers(message.text),
        "wording": wording,
        "reflected_ids": await public_among(db, message.id, wording.contribution_ids) if wording else [],
        "counts": await reflected_counts(db, message.id),
        "heard": await heard_contributions(
            db,
            message.id,
            after=parse_id(request.query_params.get("after")),
            page_size=request.app.state.settings.page_size,
        ),
        "state_labels": public_state_labels(),
    }
    return render(request, "consolidation/what_we_heard.html", context)
