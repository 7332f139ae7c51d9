"""Plain-text mail bodies from templates/mail/*.txt: a Jinja environment of its own,
because HTML autoescaping would turn `&` in a link into `&amp;` in a text message."""

from __future__ import annotations

from typing import Any

import jinja2

from app import i18n
from app.settings import PROJECT_ROOT

text_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates" / "mail"),
    autoescape=False,  # noqa: S701 - plain text, never shown as HTML
    extensions=["jinja2.ext.i18n"],
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
text_environment.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)


def render_text(name: str, context: dict[str, Any]) -> str:
    return text_environment.get_template(name).render(context)
