"""The discussion part of a key message page (thread list and position table), from the
shared fragment cache when the first page is asked for, rendered otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from app.consultation.services import KeyMessageInContext
from app.discussion.amendments import proposed_amendments
from app.discussion.tallies import tallies
from app.discussion.thread_read import key_message_threads
from app.fragments import cached_fragments, fragment_version
from app.i18n import current_locale
from app.templating import render_fragment
from app.web.requests import db_of


@dataclass
class DiscussionFragments:
    threads: Markup
    tally: Markup
    #: Freshly rendered first-page fragments, to store once the page is rendered.
    to_store: dict[str, tuple[str, str]] = field(default_factory=dict)


#: The flags a cached fragment depends on; each distinct combination is its own fragment.
VARIANT_FLAGS = ("may_contribute", "may_endorse", "may_moderate", "may_retag", "may_see_hidden")


def _variant(flags: dict[str, Any]) -> str:
    """What the viewer may do (reply, endorse and moderate links, hidden text) and whose eyes
    the page is for (publication consent) change the fragment."""
    return "".join(f"{name[4:7]}{int(bool(flags[name]))}" for name in VARIANT_FLAGS) + flags["audience"].variant


async def discussion_fragments(
    request: Request, found: KeyMessageInContext, flags: dict[str, Any], cursor: str | None
) -> DiscussionFragments:
    message = found.message
    prefix = f"km:{message.id}:{current_locale.get()}:{_variant(flags)}"
    version = fragment_version(message.discussion_version)
    keys = {"threads": f"{prefix}:threads", "tally": f"{prefix}:tally"}
    if cursor is None:
        hits = await cached_fragments(db_of(request), dict.fromkeys(keys.values(), version))
        if len(hits) == len(keys):
            return DiscussionFragments(Markup(hits[keys["threads"]]), Markup(hits[keys["tally"]]))  # noqa: S704
    fragments = await _render(request, found, flags, cursor)
    if cursor is None:
        fragments.to_store = {keys["threads"]: (version, fragments.threads), keys["tally"]: (version, fragments.tally)}
    return fragments


async def _render(
    request: Request, found: KeyMessageInContext, flags: dict[str, Any], cursor: str | None
) -> DiscussionFragments:
    db = db_of(request)
    page = await key_message_threads(
        db, found.message.id, cursor=cursor, page_size=request.app.state.settings.page_size, audience=flags["audience"]
    )
    tally = (await tallies(db, [found.message.id]))[found.message.id]
    amendments = await proposed_amendments(db, found.consultation, found.message, flags["audience"])
    context = {"consultation": found.consultation, "message": found.message, "page": page, "after": cursor, **flags}
    return DiscussionFragments(
        threads=render_fragment(request, "discussion/_threads.html", context),
        tally=render_fragment(request, "discussion/_tally.html", {**context, "tally": tally, "amendments": amendments}),
    )
