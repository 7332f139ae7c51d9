"""What the moderators curate, for the discussion pages: a key message's highlights, a
thread's summary, and whether the thread was merged into another (then it takes no reply).
Read on every request, outside the stored fragments (app.fragments): each is one indexed
query, and every curating write moves the key message's version all the same, so pages kept
by readers' caches are answered anew (app.web.conditional)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.discussion.models import Contribution
from app.moderation.curation import highlights_of
from app.moderation.merges import merged_into
from app.moderation.summaries import summary_of
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import render
from app.web.requests import db_of, identity_of


async def highlights_context(request: Request, key_message_id: int) -> dict[str, Any]:
    """discussion/_highlights.html's variables."""
    return {
        "highlights": await highlights_of(db_of(request), key_message_id),
        "may_pin": permits(identity_of(request), Permission.PIN_HIGHLIGHT),
    }


async def thread_context(request: Request, head: Contribution) -> dict[str, Any]:
    """discussion/_summary.html's and _merged.html's variables: a summary belongs to a thread's
    first contribution; a merge, to the whole thread."""
    starts_thread, identity = head.parent_id is None, identity_of(request)
    return {
        "summary": await summary_of(db_of(request), head.id) if starts_thread else None,
        "may_summarise": starts_thread and permits(identity, Permission.SUMMARISE_THREAD),
        "merged_into": await merged_into(db_of(request), head),
        "may_merge": starts_thread and permits(identity, Permission.MERGE_THREAD),
    }


async def closed_by_merge(request: Request, parent: Contribution) -> Response | None:
    """The answer to a reply in a merged thread: it takes none, and says where to go on."""
    into = await merged_into(db_of(request), parent)
    if into is None:
        return None
    return render(request, "discussion/thread_closed.html", {"parent": parent, "into": into}, status_code=409)
