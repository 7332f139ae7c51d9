"""Rendered threads kept one by one, so the list of a key message is assembled from stored
threads and the first read after a write renders the threads that changed, not the page.

A thread (the `item` macro of discussion/_contribution.html: a top-level contribution, its
first replies and its "continue" links) is stored per locale and per what the reader may do
(article_variant), valid for one version of the thread (app.discussion.thread_versions,
bumped by triggers with every write to it), the settings that shape it and the code
signature. Changes the triggers cannot see (names, badges) clear every versioned fragment
(app.fragments.clear_fragments). A thread looks the same in every order, topic and page of
the list, so "Show more", the sorts and the topic filters take stored threads too.

A thread rendered again takes its unchanged contributions from the stored articles
(app.discussion.web.stored_articles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from app.discussion.presenters import ContributionView
from app.discussion.thread_read import Node, threads_of
from app.discussion.web.page_context import PageFlags
from app.discussion.web.stored_articles import TEMPLATE, article_variant, stored_articles
from app.fragments import cached_fragments, fragment_version
from app.i18n import current_locale
from app.templating import base_context, environment
from app.web.requests import db_of


def thread_key(root_id: int, *, locale: str, variant: str) -> str:
    return f"thread:{root_id}:{locale}:{variant}"


@dataclass
class ThreadItems:
    #: Each thread's <li>, in the order of the roots asked for.
    html: list[Markup]
    #: Freshly rendered threads and articles (key -> (version, html)), to store once the page
    #: is rendered (see stored_articles.Articles).
    to_store: dict[str, tuple[str, str]]


async def stored_threads(
    request: Request,
    flags: PageFlags,
    context: dict[str, Any],
    roots: list[ContributionView],
    versions: dict[int, int],
) -> ThreadItems:
    """The thread of every root, from the store where it is there at its version, rendered
    where it is not. `versions` must have been read no later than the roots (RootsPage):
    a thread is then never stored under a version newer than what it shows. `context` is
    what the list's template gets (the consultation and the may_* flags)."""
    if not roots:
        return ThreadItems([], {})
    db, depth_limit = db_of(request), request.app.state.settings.thread_depth
    locale, variant = current_locale.get(), article_variant(flags)
    wanted = {
        root.id: (thread_key(root.id, locale=locale, variant=variant), fragment_version(versions[root.id], depth_limit))
        for root in roots
    }
    hits = await cached_fragments(db, dict(wanted.values()))
    missing = [root for root in roots if wanted[root.id][0] not in hits]
    nodes = await threads_of(db, roots[0].key_message_id, missing, flags.audience, depth_limit) if missing else []
    articles = await stored_articles(request, flags, context, nodes)
    rendered = render_threads(request, {**context, "stored_articles": articles.html}, nodes)
    html = [
        rendered[root.id] if root.id in rendered else Markup(hits[wanted[root.id][0]])  # noqa: S704 - our own rendered HTML
        for root in roots
    ]
    stored = {wanted[root_id][0]: (wanted[root_id][1], str(item)) for root_id, item in rendered.items()}
    return ThreadItems(html, {**articles.to_store, **stored})


def render_threads(request: Request, context: dict[str, Any], nodes: list[Node]) -> dict[int, Markup]:
    """Render the threads of `nodes` (by root id) with one instance of the template's macros."""
    if not nodes:
        return {}
    macros = environment.get_template(TEMPLATE).make_module({**base_context(request), **context})
    item = getattr(macros, "item")  # noqa: B009 - a macro of the template, unknown to type checkers
    return {node.contribution.id: Markup(item(node)) for node in nodes}  # noqa: S704 - autoescaped template output
