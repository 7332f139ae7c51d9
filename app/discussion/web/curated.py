"""What the moderators curate, for the discussion pages: a key message's highlights and a
thread's summary. Read on every request, outside the stored fragments (app.fragments): each
is one indexed query, and pinning or saving moves the key message's version all the same,
so pages kept by readers' caches are answered anew (app.web.conditional)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from app.discussion.models import Contribution
from app.moderation.curation import highlights_of
from app.moderation.summaries import summary_of
from app.security.permissions import Permission
from app.security.policy import permits
from app.web.requests import db_of, identity_of


async def highlights_context(request: Request, key_message_id: int) -> dict[str, Any]:
    """discussion/_highlights.html's variables."""
    return {
        "highlights": await highlights_of(db_of(request), key_message_id),
        "may_pin": permits(identity_of(request), Permission.PIN_HIGHLIGHT),
    }


async def summary_context(request: Request, head: Contribution) -> dict[str, Any]:
    """discussion/_summary.html's variables: a summary belongs to a thread's first contribution."""
    starts_thread = head.parent_id is None
    return {
        "summary": await summary_of(db_of(request), head.id) if starts_thread else None,
        "may_summarise": starts_thread and permits(identity_of(request), Permission.SUMMARISE_THREAD),
    }
