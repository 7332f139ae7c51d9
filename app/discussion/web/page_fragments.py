"""The discussion part of a key message page (thread list, position table, amendments,
highlighted text), from the shared fragment store when it can be, rendered otherwise.

Each piece is stored for its own version (piece_versions), so a write re-renders only the
pieces it changed. Only the default view of the list (oldest first, no topic, first page) is
stored whole: the other orders, topics and pages are many and each rarely asked for; they
are assembled from stored threads (stored_threads). The other pieces do not depend on the
list, so every view takes them from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from app.consultation.models import KeyMessage
from app.consultation.services import KeyMessageInContext
from app.discussion.amendments import proposed_amendments
from app.discussion.list_order import ListQuery
from app.discussion.live import latest_contribution_id, poller
from app.discussion.quotes import quoted_passages
from app.discussion.tallies import tallies
from app.discussion.thread_read import RootsPage, page_of_roots
from app.discussion.topics import topic_named
from app.discussion.web.page_context import PageFlags
from app.discussion.web.stored_articles import article_variant
from app.discussion.web.stored_threads import stored_threads
from app.fragments import cached_fragments, fragment_version, render_once
from app.i18n import current_locale
from app.templating import render_fragment
from app.web.requests import db_of

#: The id of the element holding the list: what the sort and topic form swaps.
LIST_ID = "discussion-list"


@dataclass
class DiscussionFragments:
    threads: Markup
    #: The position table, then the proposed amendments.
    tally: Markup
    #: The key message text with the passages contributions quote highlighted.
    text: Markup
    #: Freshly rendered fragments that may be shared, to store once the page is rendered.
    to_store: dict[str, tuple[str, str]] = field(default_factory=dict)


def discussion_version(request: Request, message: KeyMessage) -> str:
    """The version of a key message's rendered discussion: bumped by every write, and by the
    code and the settings that shape the list (changing one re-renders)."""
    settings = request.app.state.settings
    return fragment_version(
        message.discussion_version, settings.page_size, settings.thread_depth, settings.live_poll_seconds
    )


def piece_versions(request: Request, found: KeyMessageInContext) -> dict[str, str]:
    """The version each stored piece of a key message page is valid for. The list moves with
    every write; the position table, the amendments and the highlighted text only with the
    writes that change them (KeyMessage.tally_version and the others, moved by triggers), so
    a reply leaves them stored. The text also shows the reader's translation (stored per
    locale): a changed translation is another version."""
    message = found.message
    return {
        "threads": discussion_version(request, message),
        "tally": fragment_version("tally", message.tally_version),
        "amendments": fragment_version("amendments", message.amendments_version),
        "text": fragment_version("quotes", message.quotes_version, found.translations.tag),
    }


async def discussion_fragments(
    request: Request, found: KeyMessageInContext, flags: PageFlags, query: ListQuery
) -> DiscussionFragments:
    message = found.message
    prefix = f"km:{message.id}:{current_locale.get()}:{article_variant(flags)}"
    versions = piece_versions(request, found)
    if not query.is_default:
        del versions["threads"]
    keys = {piece: f"{prefix}:{piece}" for piece in versions}
    hits = await cached_fragments(db_of(request), {keys[piece]: version for piece, version in versions.items()})
    stored = {piece: Markup(hits[key]) for piece, key in keys.items() if key in hits}  # noqa: S704 - our own HTML
    missing = [piece for piece in ("threads", "tally", "amendments", "text") if piece not in stored]

    async def render() -> DiscussionFragments:
        rendered: dict[str, Markup] = {}
        articles: dict[str, tuple[str, str]] = {}
        for piece in missing:
            if piece == "threads":
                rendered[piece] = await _render_list(request, found, flags, query, articles)
            else:
                rendered[piece] = await _RENDERERS[piece](request, found, flags)
        pieces = stored | rendered
        fragments = DiscussionFragments(pieces["threads"], pieces["tally"] + pieces["amendments"], pieces["text"])
        fragments.to_store.update(articles)
        fragments.to_store.update(
            {keys[piece]: (versions[piece], html) for piece, html in rendered.items() if piece in keys}
        )
        return fragments

    if not missing or not query.is_default:  # sorted, filtered or later pages: too varied to coincide
        return await render()
    # Readers arriving together right after a write wait for one render in this worker.
    fragments, rendered_here = await render_once((prefix, *versions.values()), render)
    return fragments if rendered_here else DiscussionFragments(fragments.threads, fragments.tally, fragments.text)


async def discussion_list(
    request: Request, found: KeyMessageInContext, flags: PageFlags, query: ListQuery
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """What the list templates need: a page of threads in the reader's order, each thread
    stored or rendered now (those are returned to be stored after the page: stored_threads),
    and the poller for news, from the newest id read with the page (an empty page has no
    row to carry it: the id is read before the page, so a contribution written in between
    shows twice at worst, never not at all)."""
    db, settings, message = db_of(request), request.app.state.settings, found.message
    topic = topic_named(found.consultation.topics, query.topic)

    async def read_page() -> RootsPage:
        return await page_of_roots(
            db,
            message.id,
            cursor=query.cursor,
            page_size=settings.page_size,
            audience=flags.audience,
            sort=query.sort,
            topic_id=topic.id if topic else None,
            with_newest_id=True,
        )

    page = await read_page()
    if page.newest_id is None:  # no row to carry it: read it first, then the page again
        latest = await latest_contribution_id(db, message.id)
        page = await read_page()
    else:
        latest = page.newest_id
    live = poller(
        found.consultation,
        message,
        version=message.discussion_version,
        after=latest,
        topic=query.topic,
        seconds=settings.live_poll_seconds,
    )
    context = {
        "consultation": found.consultation,
        "message": message,
        "page": page,
        "list_query": query,
        "live": live,
        **flags.as_context(),
    }
    threads = await stored_threads(request, flags, context, page.roots, page.versions)
    return {**context, "thread_items": threads.html}, threads.to_store


async def _render_text(request: Request, found: KeyMessageInContext, flags: PageFlags) -> Markup:
    """Which passages are quoted changes only with the discussion, so the highlighted text
    is stored with the other fragments instead of aggregating quotes on every view."""
    passages = await quoted_passages(db_of(request), found.message.id, flags.audience)
    context = {
        "consultation": found.consultation,
        "message": found.message,
        "quoted_passages": passages,
        "translations": found.translations,
        **flags.as_context(),
    }
    return render_fragment(request, "discussion/_key_message_text.html", context)


async def _render_list(
    request: Request,
    found: KeyMessageInContext,
    flags: PageFlags,
    query: ListQuery,
    to_store: dict[str, tuple[str, str]],
) -> Markup:
    context, articles = await discussion_list(request, found, flags, query)
    to_store.update(articles)
    return render_fragment(request, "discussion/_threads.html", context)


async def _render_tally(request: Request, found: KeyMessageInContext, flags: PageFlags) -> Markup:
    tally = (await tallies(db_of(request), [found.message.id]))[found.message.id]
    context = {"consultation": found.consultation, "message": found.message, "tally": tally, **flags.as_context()}
    return render_fragment(request, "discussion/_tally.html", context)


async def _render_amendments(request: Request, found: KeyMessageInContext, flags: PageFlags) -> Markup:
    amendments = await proposed_amendments(db_of(request), found.consultation, found.message, flags.audience)
    context = {"consultation": found.consultation, "message": found.message, "amendments": amendments}
    return render_fragment(request, "discussion/_amendments_section.html", {**context, **flags.as_context()})


#: How each stored piece but the list is rendered when it is missing.
_RENDERERS = {"tally": _render_tally, "amendments": _render_amendments, "text": _render_text}
