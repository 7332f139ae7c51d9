"""The discussion part of a key message page (thread list and position table), from the
shared fragment cache when it can be, rendered otherwise.

Only the default view of the list (oldest first, no topic, first page) is cached: the other
orders, topics and pages are many and each rarely asked for, so storing them would mostly
evict the one every reader gets. The position table does not depend on the list, so every
view may take it from the cache."""

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
from app.discussion.thread_read import page_of_roots
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


def summary_version(request: Request, message: KeyMessage) -> str:
    """The version of what a key message's page summarises of its discussion (the tally and
    amendments, the quoted passages): bumped by triggers with every change to a top-level
    contribution or a quoting one (KeyMessage.summary_version), not by every reply."""
    return fragment_version("summary", message.summary_version, request.app.state.settings.page_size)


async def discussion_fragments(
    request: Request, found: KeyMessageInContext, flags: PageFlags, query: ListQuery
) -> DiscussionFragments:
    message = found.message
    prefix = f"km:{message.id}:{current_locale.get()}:{article_variant(flags)}"
    version = discussion_version(request, message)
    keys = {"threads": f"{prefix}:threads", "tally": f"{prefix}:tally", "text": f"{prefix}:text"}
    shared = keys if query.is_default else {"tally": keys["tally"], "text": keys["text"]}
    wanted = dict.fromkeys(shared.values(), version)
    wanted[keys["tally"]] = wanted[keys["text"]] = summarised = summary_version(request, message)
    hits = await cached_fragments(db_of(request), wanted)
    threads = hits.get(keys["threads"]) if query.is_default else None
    tally, text = hits.get(keys["tally"]), hits.get(keys["text"])
    if threads is not None and tally is not None and text is not None:
        return DiscussionFragments(Markup(threads), Markup(tally), Markup(text))  # noqa: S704 - our own rendered HTML

    async def render() -> DiscussionFragments:
        articles: dict[str, tuple[str, str]] = {}
        listed = await _render_list(request, found, flags, query, articles) if threads is None else Markup(threads)  # noqa: S704 - our own rendered HTML
        fragments = DiscussionFragments(
            threads=listed,
            tally=Markup(tally) if tally is not None else await _render_tally(request, found, flags),  # noqa: S704
            text=Markup(text) if text is not None else await _render_text(request, found, flags),  # noqa: S704
        )
        fragments.to_store.update(articles)
        if threads is None and query.is_default:
            fragments.to_store[keys["threads"]] = (version, fragments.threads)
        if tally is None:
            fragments.to_store[keys["tally"]] = (summarised, fragments.tally)
        if text is None:
            fragments.to_store[keys["text"]] = (summarised, fragments.text)
        return fragments

    if not query.is_default:  # sorted, filtered or later pages: too varied to be asked for twice at once
        return await render()
    # Readers arriving together right after a write wait for one render in this worker.
    fragments, rendered_here = await render_once((prefix, version, summarised), render)
    return fragments if rendered_here else DiscussionFragments(fragments.threads, fragments.tally, fragments.text)


async def discussion_list(
    request: Request, found: KeyMessageInContext, flags: PageFlags, query: ListQuery
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """What the list templates need: a page of threads in the reader's order, each thread
    stored or rendered now (those are returned to be stored after the page: stored_threads),
    and the poller for news. The newest id is read before the page, so a contribution
    written in between shows twice at worst, never not at all."""
    db, settings, message = db_of(request), request.app.state.settings, found.message
    latest = await latest_contribution_id(db, message.id)
    page = await page_of_roots(
        db,
        message.id,
        cursor=query.cursor,
        page_size=settings.page_size,
        audience=flags.audience,
        sort=query.sort,
        topic_id=topic.id if (topic := topic_named(found.consultation.topics, query.topic)) else None,
    )
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
    db = db_of(request)
    tally = (await tallies(db, [found.message.id]))[found.message.id]
    amendments = await proposed_amendments(db, found.consultation, found.message, flags.audience)
    context = {"consultation": found.consultation, "message": found.message, "tally": tally, **flags.as_context()}
    return render_fragment(request, "discussion/_tally.html", {**context, "amendments": amendments})
