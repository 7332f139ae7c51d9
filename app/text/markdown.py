"""User text to safe HTML: a small Markdown subset rendered by markdown-it-py, then
sanitised by nh3 (an allow-list), once at write time.

Rendering is quick for ordinary text (under a millisecond per thousand characters) but not for
text written to be slow: 10,000 nested brackets take markdown-it a tenth of a second. Request
handlers await `rendered_markdown`, which renders in a worker thread."""

from __future__ import annotations

import nh3
from anyio import to_thread
from markdown_it import MarkdownIt

# Raw HTML in the source is shown as text, never interpreted; images and tables are off.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
    )


async def rendered_markdown(source: str) -> str:
    """render_markdown in a worker thread, so the event loop serves other requests meanwhile."""
    return await to_thread.run_sync(render_markdown, source)
