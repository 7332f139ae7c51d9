"""Reading pages: a key message with its threads, and one thread."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import Consultation, Footnote, KeyMessage, Section
from app.consultation.phases import phase_name
from app.consultation.translations import Translations
from app.discussion.contribution_edit import AuthorActions
from app.discussion.list_order import ListQuery, parse_list_query
from app.discussion.models import HeldContribution
from app.discussion.presenters import view_of
from app.discussion.supersession import CurrentPosition
from app.discussion.thread_read import Node, ThreadPage
from app.discussion.thread_tree import subthread_page
from app.discussion.web.curated import highlights_context, thread_context
from app.discussion.web.forms import blank_form
from app.discussion.web.just_published import just_published
from app.discussion.web.loaders import (
    audience_reading,
    contribution_from_path,
    key_message_from_path,
    readable_ids,
)
from app.discussion.web.page_context import (
    PageFlags,
    author_actions_for,
    own_awaiting_moderation,
    page_flags,
    positions_before_posting,
)
from app.discussion.web.page_fragments import LIST_ID, discussion_fragments, discussion_list, discussion_version
from app.discussion.web.stored_articles import stored_articles
from app.fragments import store_after_sending
from app.templating import is_htmx, render, template_variables
from app.web.conditional import Validators, anonymous_validators, passed
from app.web.forms import FormState
from app.web.requests import db_of, identity_of


@dataclass(frozen=True, slots=True)
class KeyMessagePage:
    """What discussion/key_message.html shows, beside the page flags. The text, the first
    page of threads and the tally come as HTML fragments, stored and shared (page_fragments)."""

    consultation: Consultation
    message: KeyMessage
    section: Section
    footnotes: list[Footnote]
    #: The reader's unofficial translations (the breadcrumb's roundtable title; the text's are in text_html).
    translations: Translations
    text_html: Markup
    threads_html: Markup
    tally_html: Markup
    list_query: ListQuery
    form: FormState
    #: The person's current positions a new one would replace (shown before they post).
    current_positions: list[CurrentPosition]
    #: The person's contributions here that wait for a moderator (pre-moderation).
    awaiting_moderation: list[HeldContribution]
    #: Their position just published, when the list does not show it (just_published).
    just_published: Node | None


@dataclass(frozen=True, slots=True)
class ThreadPageContext:
    """What discussion/thread.html shows, beside the page flags."""

    consultation: Consultation
    message: KeyMessage
    head: Node
    #: Of the head's parent and thread start, those the reader may open (linked only then).
    readable: set[int]
    page: ThreadPage
    author_actions: AuthorActions | None
    #: The article of every contribution shown, by id (stored_articles).
    stored_articles: dict[int, Markup]


async def key_message_page(request: Request) -> Response:
    found = await key_message_from_path(request)
    flags = page_flags(request, found.consultation)
    query = parse_list_query(request.query_params, [topic.slug for topic in found.consultation.topics])
    if is_htmx(request) and (query.cursor or request.headers.get("hx-target") == LIST_ID):
        # "Show more" swaps in the next items; the sort and topic form, the whole list.
        context, articles = await discussion_list(request, found, flags, query)
        response = render(
            request, "discussion/_thread_items.html" if query.cursor else "discussion/_threads.html", context
        )
        return store_after_sending(response, db_of(request), articles)
    validators = await _anonymous_validators(request, found.consultation, found.message, flags)
    if validators is not None and validators.match(request):
        return validators.not_modified()
    fragments = await discussion_fragments(request, found, flags, query)
    page = KeyMessagePage(
        consultation=found.consultation,
        message=found.message,
        section=found.section,
        footnotes=found.footnotes,
        translations=found.translations,
        text_html=fragments.text,
        threads_html=fragments.threads,
        tally_html=fragments.tally,
        list_query=query,
        form=blank_form(),
        current_positions=await positions_before_posting(request, found.message),
        awaiting_moderation=await own_awaiting_moderation(request, found.message),
        just_published=await just_published(request, found.message, query, flags.audience),
    )
    variables = template_variables(page) | flags.as_context() | await highlights_context(request, found.message.id)
    response = render(request, "discussion/key_message.html", variables)
    store_after_sending(response, db_of(request), fragments.to_store)
    return validators.stamp(response) if validators is not None else response


async def _anonymous_validators(
    request: Request, consultation: Consultation, message: KeyMessage, flags: PageFlags
) -> Validators | None:
    """What an anonymous reader's key message or thread page is made of: the discussion's
    version (bumped by every write), the settings that shape it (discussion_version), what
    the reader may do, and the consultation's schedule and phase (they change the page with
    no write). Signed-in pages and htmx swaps are always answered in full."""
    if identity_of(request).is_authenticated or is_htmx(request):
        return None
    schedule = (consultation.status.value, consultation.opens_at, consultation.closes_at, phase_name(consultation))
    return await anonymous_validators(
        request,
        message.id,
        discussion_version(request, message),
        flags,
        schedule,
        changed_at=[message.discussion_changed_at, consultation.updated_at, *passed(*schedule[1:3])],
    )


async def thread_page(request: Request) -> Response:
    """A contribution and the conversation under it, as deep as settings.thread_depth; the
    "continue this thread" links of its deepest replies lead to their own thread pages."""
    context, contribution = await contribution_from_path(request)
    flags, settings, db = page_flags(request, context.consultation), request.app.state.settings, db_of(request)
    validators = await _anonymous_validators(request, context.consultation, context.message, flags)
    if validators is not None and validators.match(request):
        return validators.not_modified()
    head = await view_of(db, contribution.id, audience_reading(request, contribution))
    assert head is not None  # contribution_from_path answered 404 otherwise
    cursor = request.query_params.get("after")
    page = await subthread_page(
        db,
        head,
        cursor=cursor,
        page_size=settings.page_size,
        audience=flags.audience,
        depth_limit=settings.thread_depth,
    )
    articles = await stored_articles(
        request, flags, {"consultation": context.consultation, **flags.as_context()}, [Node(head), *page.nodes]
    )
    thread = ThreadPageContext(
        consultation=context.consultation,
        message=context.message,
        head=Node(head),
        readable=await readable_ids(request, [head.parent_id, head.thread_root_id]),
        page=page,
        author_actions=author_actions_for(request, contribution, context.consultation),
        stored_articles=articles.html,
    )
    variables = template_variables(thread) | flags.as_context() | await thread_context(request, contribution)
    response = render(request, "discussion/thread.html", variables, block="thread_page" if cursor else None)
    store_after_sending(response, db, articles.to_store)
    return validators.stamp(response) if validators is not None else response
