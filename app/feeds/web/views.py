"""Atom feeds of a consultation, of one key message and of one topic."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import Consultation, KeyMessage
from app.consultation.services import all_key_messages
from app.consultation.urls import consultation_url, key_message_url, topic_url
from app.discussion.labels import topic_label
from app.discussion.web.loaders import consultation_from_path, key_message_from_path, topic_from_path
from app.feeds.services import FeedEntry, recent_contributions
from app.i18n import _
from app.templating import render
from app.text.safe import clean_text
from app.urls import path_for
from app.web.conditional import Validators, anonymous_validators
from app.web.requests import db_of

ATOM = "application/atom+xml; charset=utf-8"


async def consultation_feed(request: Request) -> Response:
    consultation = await consultation_from_path(request)
    validators = await _validators(request, consultation, all_key_messages(consultation))
    if validators is not None and validators.match(request):
        return validators.not_modified()
    entries = await recent_contributions(db_of(request), [m.id for m in all_key_messages(consultation)])
    return _feed(
        request,
        validators,
        entries,
        title=_("New contributions on %(ref)s", ref=consultation.source_reference),
        page=consultation_url(consultation),
        feed=path_for("consultation_feed", slug=consultation.slug),
    )


async def key_message_feed(request: Request) -> Response:
    found = await key_message_from_path(request)
    consultation, message = found.consultation, found.message
    validators = await _validators(request, consultation, [message])
    if validators is not None and validators.match(request):
        return validators.not_modified()
    entries = await recent_contributions(db_of(request), [message.id])
    return _feed(
        request,
        validators,
        entries,
        title=_("New contributions on key message %(ref)s", ref=message.ref),
        page=key_message_url(consultation, message),
        feed=path_for("key_message_feed", slug=consultation.slug, ref=message.ref),
    )


async def topic_feed(request: Request) -> Response:
    consultation, topic = await topic_from_path(request)
    validators = await _validators(request, consultation, all_key_messages(consultation))
    if validators is not None and validators.match(request):
        return validators.not_modified()
    key_messages = [m.id for m in all_key_messages(consultation)]
    entries = await recent_contributions(db_of(request), key_messages, topic_id=topic.id)
    return _feed(
        request,
        validators,
        entries,
        title=_("New contributions on the topic %(topic)s", topic=topic_label(topic)),
        page=topic_url(consultation, topic),
        feed=path_for("topic_feed", slug=consultation.slug, topic_slug=topic.slug),
    )


async def _validators(
    request: Request, consultation: Consultation, key_messages: list[KeyMessage]
) -> Validators | None:
    """A feed lists contributions to these key messages: it changes with their discussions
    (and its title with the consultation)."""
    return await anonymous_validators(
        request,
        (consultation.id, consultation.updated_at),
        [(m.id, m.discussion_version) for m in key_messages],
        changed_at=[consultation.updated_at, *(m.discussion_changed_at for m in key_messages)],
    )


def _feed(
    request: Request,
    validators: Validators | None,
    entries: list[FeedEntry],
    *,
    title: str,
    page: str,
    feed: str,
) -> Response:
    """The feed, without the control characters XML forbids: text stored before input was
    cleaned (app.text.safe) may hold some, and one would make the whole feed unreadable.
    Its addresses are absolute (feed readers fetch them out of context): `page` and `feed`
    are paths, joined here to the site's base URL."""
    base_url = request.app.state.settings.base_url
    page_context = {
        "entries": entries,
        "feed_title": title,
        "page_url": base_url + page,
        "feed_url": base_url + feed,
        "base_url": base_url,
    }
    rendered = render(request, "feeds/atom.xml", page_context)
    response = Response(
        clean_text(bytes(rendered.body).decode("utf-8")), headers={"Vary": rendered.headers["vary"]}, media_type=ATOM
    )
    return validators.stamp(response) if validators is not None else response
