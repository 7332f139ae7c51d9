"""The Jinja2 environment and render(): full page, or just one block for an htmx swap."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jinja2
from babel import UnknownLocaleError
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app import i18n
from app.security.csrf import PageToken
from app.security.form_stamps import PageStamp
from app.security.permissions import Permission
from app.security.policy import permits
from app.settings import PROJECT_ROOT
from app.text.footnotes import footnoted, strip_footnote_markers
from app.urls import path_for

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _trusted_html(value: str) -> Markup:
    """Mark HTML that this application sanitised with nh3 at write time (never raw input)."""
    return Markup(value)  # noqa: S704 - only ever given body_html, sanitised by app.text.markdown


def isolated(value: object) -> Markup:
    """A name people chose, set into a translated sentence: `<bdi>` keeps an Arabic name from
    reordering the words around it on an English page, and an English name on an Arabic one."""
    return Markup("<bdi>%s</bdi>") % value


def _language_attrs(code: str) -> Markup:
    """`lang` and `dir` of text in a language other than the page's: a Dutch key message keeps
    its left-to-right direction inside an Arabic page. Unknown codes get dir="auto"."""
    try:
        direction = i18n.text_direction(code)
    except (ValueError, TypeError, UnknownLocaleError):
        direction = "auto"
    return Markup('lang="{0}" dir="{1}"').format(code, direction)


environment.filters["datetime_brussels"] = i18n.format_datetime_brussels
environment.filters["date_long"] = i18n.format_date_long
environment.filters["number"] = i18n.format_number
environment.filters["strip_markers"] = strip_footnote_markers
environment.filters["iso"] = _iso
environment.filters["footnoted"] = footnoted
environment.filters["sanitised_html"] = _trusted_html
environment.filters["isolated"] = isolated
environment.globals["escape"] = escape
environment.globals["language_attrs"] = _language_attrs
#: url("thread", contribution_id=7): every site path in a template comes from a route name.
environment.globals["url"] = path_for
environment.filters["brussels"] = i18n.format_instant_brussels
# Domains add their own helpers at start-up (app.main.install_template_globals): this shared
# layer imports no domain.


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | DataclassInstance | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the page, or only `block` when htmx asks; one template serves both. A page that
    hands its template more than a few values types them: `context` is then a frozen
    dataclass whose fields are the template's variables."""
    full_context = {**base_context(request), **template_variables(context)}
    if block is not None and is_htmx(request):
        html = render_block(environment, name, block, full_context)
    else:
        html = environment.get_template(name).render(full_context)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    # Who may keep it is decided for every response in one place: app.web.cache_policy.
    return response


def template_variables(context: dict[str, Any] | DataclassInstance | None) -> dict[str, Any]:
    if context is None:
        return {}
    if isinstance(context, dict):
        return context
    # Shallow on purpose: the fields' own values (views, models) stay objects.
    return {field.name: getattr(context, field.name) for field in fields(context)}


def render_fragment(request: Request, name: str, context: dict[str, Any]) -> Markup:
    """Render a partial to HTML for embedding in a page (or storing in app.fragments)."""
    html = environment.get_template(name).render({**base_context(request), **context})
    return Markup(html)  # noqa: S704 - our own autoescaped template output


def base_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    identity = state.get("identity")
    return {
        "request": request,
        "identity": identity,
        # The header's link; asked of the policy like every other permission.
        "may_administer": identity is not None and permits(identity, Permission.MANAGE_ROLES),
        "may_review_organisations": identity is not None and permits(identity, Permission.VERIFY_ORGANISATION),
        "may_moderate_queue": identity is not None and permits(identity, Permission.MODERATE),
        "may_curate": identity is not None and permits(identity, Permission.CURATE_INPUT),
        "may_consolidate": identity is not None and permits(identity, Permission.CONSOLIDATE),
        #: Items waiting in the moderation queue (app.moderation.web.middleware), for moderators.
        "moderation_waiting": state.get("moderation_waiting"),
        # Shown only where a template writes it; a page that does is per browser (PageToken).
        "csrf_token": PageToken(state),
        # Made when a form shows it (includes/forms.html form_guard): when the form was rendered.
        "form_stamp": PageStamp(request),
        "flash": state.get("flash_messages", []),
        "lang": i18n.current_locale.get(),
        "dir": i18n.text_direction(i18n.current_locale.get()),
        "languages": LANGUAGES,
    }


#: The switcher's choices: each language named in itself.
LANGUAGES = tuple((code, i18n.language_name(code)) for code in i18n.SUPPORTED_LOCALES)
