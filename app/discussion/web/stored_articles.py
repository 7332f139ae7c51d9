"""Rendered contributions kept one by one, so a page is assembled from stored articles and
the first read after a write renders only what changed.

An article (the `article` macro of discussion/_contribution.html) is stored under a digest
of everything it is made of: the contribution's view as this audience sees it (text, names
after publication consent, moderation state, endorsers, topics, attachments, supersession),
what the reader may do (PageFlags), the locale, the consultation and the code signature. So
any change that alters an article alters its key: an edit, a moderation decision, an
endorsement, a relabelling, an erased author or a verified organisation all lead to a
fresh render, with no write path having to remember to invalidate anything, and a deploy
never serves articles rendered by older templates. The cost is that the page's views must
be read before the stored articles can be looked up; the rows read are the page's own.

Keys of articles nobody shows any more are left behind: `roundtable fragments prune`
deletes fragments not rendered for a while (app.fragments.prune_fragments)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from app.discussion.presenters import ContributionView
from app.discussion.thread_read import Node
from app.discussion.web.page_context import PageFlags
from app.fragments import CONTENT_ADDRESSED, cached_fragments, code_signature
from app.i18n import current_locale
from app.templating import base_context, environment
from app.web.requests import db_of

#: Articles are addressed by their content: a stored one is valid whenever its key matches.
ARTICLE_VERSION = "article"
TEMPLATE = "discussion/_contribution.html"


def article_key(view: ContributionView, *, locale: str, variant: str, consultation_slug: str) -> str:
    """The key of one article: the view's repr is every field of a frozen dataclass (and of
    the views inside it), so it changes whenever anything the article shows changes."""
    digest = hashlib.sha256(
        "\x1f".join((locale, variant, consultation_slug, code_signature(), repr(view))).encode()
    ).hexdigest()
    return f"{CONTENT_ADDRESSED}article:{digest}"


#: The flags a stored fragment depends on; each distinct combination is its own variant.
VARIANT_FLAGS = ("may_contribute", "may_endorse", "may_moderate", "may_report", "may_retag", "may_see_hidden")


def article_variant(flags: PageFlags) -> str:
    """What the viewer may do (reply, endorse and moderate links, hidden text) and whose eyes
    the page is for (publication consent) change the fragment."""
    return "".join(f"{name[4:7]}{int(getattr(flags, name))}" for name in VARIANT_FLAGS) + flags.audience.variant


def contributions_in(nodes: Iterable[Node]) -> Iterator[ContributionView]:
    for node in nodes:
        yield node.contribution
        yield from contributions_in(node.children)


@dataclass
class Articles:
    #: Every article of the page by contribution id, for the `item` macro (`stored_articles`).
    html: dict[int, Markup]
    #: The freshly rendered ones (key -> (version, html)), to store once the page is rendered:
    #: storing commits, and a failed store rolls back, which must not happen mid-render.
    to_store: dict[str, tuple[str, str]]


async def stored_articles(request: Request, flags: PageFlags, context: dict[str, Any], nodes: list[Node]) -> Articles:
    """The article of every contribution in `nodes`, from the store where it is there,
    rendered where it is not. `context` is what the list's template gets (the consultation
    and the may_* flags)."""
    variant = article_variant(flags)
    views = list(contributions_in(nodes))
    if not views:
        return Articles({}, {})
    locale, slug = current_locale.get(), context["consultation"].slug
    keys = {view.id: article_key(view, locale=locale, variant=variant, consultation_slug=slug) for view in views}
    hits = await cached_fragments(db_of(request), dict.fromkeys(keys.values(), ARTICLE_VERSION))
    rendered = render_articles(request, context, [view for view in views if keys[view.id] not in hits])
    html = {
        view.id: rendered[view.id] if view.id in rendered else Markup(hits[keys[view.id]])  # noqa: S704 - our own rendered HTML
        for view in views
    }
    return Articles(html, {keys[view_id]: (ARTICLE_VERSION, article) for view_id, article in rendered.items()})


def render_articles(request: Request, context: dict[str, Any], views: list[ContributionView]) -> dict[int, Markup]:
    """Render the articles of `views` with one instance of the template's macros."""
    if not views:
        return {}
    macros = environment.get_template(TEMPLATE).make_module({**base_context(request), **context})
    article = getattr(macros, "article")  # noqa: B009 - a macro of the template, unknown to type checkers
    return {view.id: Markup(article(view)) for view in views}  # noqa: S704 - autoescaped template output
