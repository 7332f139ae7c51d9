"""Writing contributions: a position on a key message, or a reply in its thread."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.discussion.amendments import validated_amendment
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, PublicationConsent
from app.discussion.posting_limits import UNLIMITED, PostingLimits, check_posting_limits
from app.discussion.publication import needs_organisation
from app.discussion.quotes import validated_quote
from app.discussion.supersession import lock_current, supersede_earlier
from app.discussion.topics import tag, validated_topics
from app.i18n import _
from app.organisations.models import Organisation
from app.text.markdown import render_markdown

SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


#: Languages a contribution can be written in: the six UN languages, then languages of the
#: EU and of large diasporas. Stored so pages can mark the text up with `lang`.
CONTRIBUTION_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru", "nl", "de", "it", "pt", "pl", "ro", "tr", "sw")


#: Draft.organisation_id for a contribution made personally, on behalf of no organisation.
PERSONAL: Final = "personal"


@dataclass(frozen=True)
class Draft:
    body: str
    submission_key: str
    position: str | None = None
    #: The organisation spoken for; None: the author's first one; PERSONAL: none.
    organisation_id: int | Literal["personal"] | None = None
    language: str = "en"
    publication: str = PublicationConsent.NAMED.value
    #: Proposed wording of the key message (positions that amend).
    amendment_text: str = ""
    #: A passage of the key message, copied exactly.
    quote_text: str = ""
    #: Where the reader selected it in the marker-free text (the page's script sends it).
    quote_start: int | None = None
    #: Slugs of the consultation's topics.
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    contribution: Contribution
    created: bool  #: False when the same form was submitted before (double click, retry)


async def mark_discussion_changed(db: AsyncSession, key_message_id: int) -> None:
    """Every change to what a discussion shows bumps its version, in the same transaction,
    so fragments rendered before it are never served again (app.fragments)."""
    await db.execute(
        update(KeyMessage)
        .where(KeyMessage.id == key_message_id)
        .values(discussion_version=KeyMessage.discussion_version + 1)
        .execution_options(synchronize_session=False)
    )


def validate_body(body: str, max_chars: int) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ContributionError("body", _("Write your contribution before publishing it."))
    if len(body) > max_chars:
        raise ContributionError(
            "body",
            _(
                "Your contribution is %(length)s characters long; the limit is %(limit)s. "
                "Shorten it, or attach a position paper later.",
                length=len(body),
                limit=max_chars,
            ),
        )
    return body


def _language(code: str) -> str:
    if code not in CONTRIBUTION_LANGUAGES:
        raise ContributionError("language", _("Choose the language you wrote in."))
    return code


def _publication(value: str, organisation: Organisation | None) -> PublicationConsent:
    try:
        consent = PublicationConsent(value)
    except ValueError:
        raise ContributionError("publication", _("Choose how your contribution may be published.")) from None
    if needs_organisation(consent) and organisation is None:
        raise ContributionError(
            "publication",
            _("You are writing personally, so there is no organisation to publish it under. Choose another option."),
        )
    return consent


def _organisation_for(author: User, organisation_id: int | Literal["personal"] | None) -> Organisation | None:
    """Only members may speak for an organisation; by default a member speaks for their first
    one, and anyone may speak personally."""
    member_of = {m.organisation_id: m.organisation for m in author.memberships}
    if organisation_id == PERSONAL:
        return None
    if organisation_id is None:
        return next(iter(member_of.values()), None)
    if organisation_id not in member_of:
        raise ContributionError("organisation_id", _("You can only speak for an organisation you belong to."))
    return member_of[organisation_id]


async def _already_submitted(db: AsyncSession, author: User, key: str) -> Contribution | None:
    return await db.scalar(
        select(Contribution).where(Contribution.author_id == author.id, Contribution.submission_key == key)
    )


def _check_submission_key(key: str) -> None:
    if not SUBMISSION_KEY.fullmatch(key):
        raise ContributionError("body", _("This form is out of date. Reload the page; your text is kept below."))


async def publish_position(
    db: AsyncSession,
    *,
    author: User,
    consultation: Consultation,
    key_message: KeyMessage,
    draft: Draft,
    max_chars: int,
    limits: PostingLimits = UNLIMITED,
) -> WriteResult:
    """A top-level contribution must carry one of the consultation's positions."""
    _check_submission_key(draft.submission_key)
    if (existing := await _already_submitted(db, author, draft.submission_key)) is not None:
        return WriteResult(existing, created=False)
    if draft.position not in consultation.positions:
        raise ContributionError("position", _("Choose your position on this key message."))
    amendment_text = validated_amendment(draft.amendment_text, draft.position, consultation, key_message)
    body = validate_body(draft.body, max_chars)
    await check_posting_limits(db, author, body, limits)
    organisation = _organisation_for(author, draft.organisation_id)
    quote = validated_quote(draft.quote_text, key_message, draft.quote_start)
    topics = await validated_topics(db, consultation.id, draft.topics)
    fields = {
        "key_message_id": key_message.id,
        "author": author,
        "organisation": organisation,
        # The speaker, readable before the flush: the current position is released first.
        "author_id": author.id,
        "organisation_id": organisation.id if organisation else None,
        # Set, so that a later supersession updates this object in the session as well.
        "superseded_by_id": None,
        "parent_id": None,
        "thread_root_id": None,
        "depth": 0,
        "position": draft.position,
        "body_source": body,
        "body_html": render_markdown(body),
        "language": _language(draft.language),
        "publication": _publication(draft.publication, organisation),
        "amendment_text": amendment_text,
        "quote_text": quote.text if quote else None,
        "quote_start": quote.start if quote else None,
        "submission_key": draft.submission_key,
    }
    result = await _insert_current_position(db, author, fields)
    if result.created:
        await tag(db, result.contribution, topics)
        await mark_discussion_changed(db, key_message.id)
    return result


#: How often a position is tried again after meeting one posted at the same moment.
POSITION_ATTEMPTS = 5


async def _insert_current_position(db: AsyncSession, author: User, fields: dict[str, Any]) -> WriteResult:
    """Insert a position as its speaker's current one, superseding the earlier
    (app.discussion.supersession). On PostgreSQL two members of one organisation may post
    at the same moment: the later to commit meets the unique index of current positions,
    and tries again in a fresh savepoint, where it sees, and supersedes, the other's."""
    for _attempt in range(POSITION_ATTEMPTS - 1):
        try:
            return await _insert_once(db, fields)
        except IntegrityError:
            if (existing := await _already_submitted(db, author, fields["submission_key"])) is not None:
                return WriteResult(existing, created=False)  # the same form, sent twice at once
    return await _insert_once(db, fields)


async def _insert_once(db: AsyncSession, fields: dict[str, Any]) -> WriteResult:
    contribution = Contribution(**fields)
    async with db.begin_nested():
        # Inserted as superseded by the current position, out of the unique index, until
        # the earlier ones point at it (app.discussion.supersession.lock_current).
        contribution.superseded_by_id = await lock_current(db, contribution)
        db.add(contribution)
        await db.flush()
        if contribution.superseded_by_id is not None:
            await supersede_earlier(db, contribution)
            contribution.superseded_by_id = None
            await db.flush()
    return WriteResult(contribution, created=True)


async def publish_reply(
    db: AsyncSession,
    *,
    author: User,
    parent: Contribution,
    key_message: KeyMessage,
    draft: Draft,
    max_chars: int,
    limits: PostingLimits = UNLIMITED,
) -> WriteResult:
    """A reply carries no position and nests under its parent, to any depth."""
    _check_submission_key(draft.submission_key)
    if (existing := await _already_submitted(db, author, draft.submission_key)) is not None:
        return WriteResult(existing, created=False)
    body = validate_body(draft.body, max_chars)
    await check_posting_limits(db, author, body, limits)
    organisation = _organisation_for(author, draft.organisation_id)
    quote = validated_quote(draft.quote_text, key_message, draft.quote_start)
    topics = await validated_topics(db, key_message.consultation_id, draft.topics)
    contribution = Contribution(
        key_message_id=parent.key_message_id,
        author=author,
        organisation=organisation,
        parent_id=parent.id,
        thread_root_id=parent.thread_root_id or parent.id,
        depth=parent.depth + 1,
        position=None,
        body_source=body,
        body_html=render_markdown(body),
        language=_language(draft.language),
        publication=_publication(draft.publication, organisation),
        quote_text=quote.text if quote else None,
        quote_start=quote.start if quote else None,
        submission_key=draft.submission_key,
    )
    db.add(contribution)
    await db.flush()
    await tag(db, contribution, topics)
    await mark_discussion_changed(db, contribution.key_message_id)
    return WriteResult(contribution, created=True)
