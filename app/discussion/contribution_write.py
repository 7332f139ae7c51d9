"""Writing contributions: a position on a key message, or a reply in its thread."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage, PreModeration, Topic
from app.db import utcnow
from app.discussion.amendments import validated_amendment
from app.discussion.errors import ContributionError
from app.discussion.holding import Held, contribution_values, decided, hold, must_hold
from app.discussion.list_order import shown_in_lists
from app.discussion.models import Contribution, ContributionStatus, HeldContribution, HeldOutcome, PublicationConsent
from app.discussion.posting_limits import UNLIMITED, PostingLimits, check_posting_limits
from app.discussion.publication import needs_organisation
from app.discussion.quotes import validated_quote
from app.discussion.supersession import hold_speaker, insert_position, insert_reply
from app.discussion.topics import chosen_topics, tag, validated_topics
from app.i18n import _
from app.organisations.models import Membership, Organisation
from app.text.markdown import render_markdown, rendered_markdown

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
    #: The topics it was tagged with (when created).
    topics: tuple[Topic, ...] = ()
    #: Whether a new position is on the page its key message opens with (opens_the_list),
    #: when publish_position was given the page size; None when not known.
    opens_the_list: bool | None = None


async def mark_discussion_changed(db: AsyncSession, key_message_id: int) -> None:
    """Every change to what a discussion shows bumps its version, in the same transaction,
    so fragments rendered before it are never served again (app.fragments)."""
    await db.execute(_BUMP_VERSION, {"changed_id": key_message_id})


_BUMP_VERSION = (
    update(KeyMessage)
    .where(KeyMessage.id == bindparam("changed_id"))
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


async def _already_submitted(db: AsyncSession, author: User, key: str) -> Contribution:
    """What a form sent again had published (its INSERT found the author's submission key)."""
    existing = await db.scalar(
        select(Contribution).where(Contribution.author_id == author.id, Contribution.submission_key == key)
    )
    if existing is None:  # pragma: no cover - the unique constraint that refused the insert names it
        raise RuntimeError("a contribution was refused as a repeat, yet none has its submission key")
    return existing


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
    page_size: int | None = None,
    premoderation: PreModeration = PreModeration.NONE,
) -> WriteResult | Held:
    """A top-level contribution must carry one of the consultation's positions; it becomes its
    speaker's current one (app.discussion.supersession). Everything is checked before the
    first statement; a form sent again is answered with what it published. Given the
    `page_size`, it also tells whether the new one opens the key message's list. Where
    `premoderation` holds it, it waits for a moderator instead (app.discussion.holding)."""
    _check_submission_key(draft.submission_key)
    if draft.position not in consultation.positions:
        raise ContributionError("position", _("Choose your position on this key message."))
    amendment_text = validated_amendment(draft.amendment_text, draft.position, consultation, key_message)
    values = await _values(draft, author, key_message, max_chars)
    topics = chosen_topics(consultation.topics, draft.topics)
    values.update(parent_id=None, thread_root_id=None, depth=0, position=draft.position, amendment_text=amendment_text)
    if (resent := await _within_limits(db, author, values, limits)) is not None:
        return resent
    if await must_hold(db, premoderation, consultation.id, author, _speaking_for(author, values)):
        return await hold(db, consultation.id, values, topics)
    await hold_speaker(db, key_message.id, values["organisation_id"], author.id)
    new_id = await insert_position(db, values)
    return await _published(db, new_id, values, author, topics, page_size=page_size)


async def publish_reply(
    db: AsyncSession,
    *,
    author: User,
    parent: Contribution,
    key_message: KeyMessage,
    draft: Draft,
    max_chars: int,
    limits: PostingLimits = UNLIMITED,
    premoderation: PreModeration = PreModeration.NONE,
) -> WriteResult | Held:
    """A reply carries no position and nests under its parent, to any depth, unless a
    moderator locked the thread; where `premoderation` holds it, it waits for a moderator
    (app.discussion.holding)."""
    _check_submission_key(draft.submission_key)
    refuse_locked(parent)
    values = await _values(draft, author, key_message, max_chars)
    topics = await validated_topics(db, key_message.consultation_id, draft.topics)
    values.update(
        parent_id=parent.id,
        thread_root_id=parent.thread_root_id or parent.id,
        depth=parent.depth + 1,
        position=None,
        amendment_text=None,
        superseded_by_id=None,
    )
    if (resent := await _within_limits(db, author, values, limits)) is not None:
        return resent
    if await must_hold(db, premoderation, key_message.consultation_id, author, _speaking_for(author, values)):
        return await hold(db, key_message.consultation_id, values, topics)
    return await _published(db, await insert_reply(db, values), values, author, topics)


def refuse_locked(parent: Contribution) -> None:
    if parent.locked_at is not None:
        raise ContributionError(
            "body", _("The moderators locked this thread: it takes no new replies. Your text is kept below.")
        )


def _speaking_for(author: User, values: dict[str, Any]) -> Organisation | None:
    return _organisation_for(author, values["organisation_id"] or PERSONAL)


async def publish_held(db: AsyncSession, held: HeldContribution) -> Contribution:
    """Publish an approved held contribution as it was written, with the time it was written;
    a position becomes its speaker's current one, as any new one does. Refused
    (ContributionError) when its author no longer belongs to the organisation it speaks for."""
    values = contribution_values(held)
    if values["organisation_id"] is not None and not await _still_member(db, held.author_id, values["organisation_id"]):
        raise ContributionError(
            "action", _("Its author no longer belongs to the organisation it speaks for: reject it instead.")
        )
    if values["parent_id"] is None:
        await hold_speaker(db, values["key_message_id"], values["organisation_id"], held.author_id)
        new_id = await insert_position(db, values)
    else:
        new_id = await insert_reply(db, {**values, "superseded_by_id": None})
    if new_id is None:  # pragma: no cover - a submission key is the author's, and held once
        raise RuntimeError("a held contribution's submission key was published already")
    topics = await db.scalars(
        select(Topic).where(Topic.consultation_id == held.consultation_id, Topic.slug.in_(held.topic_slugs))
    )
    contribution = await db.get_one(Contribution, new_id)
    await tag(db, contribution, list(topics))
    await mark_discussion_changed(db, held.key_message_id)
    decided(held, HeldOutcome.APPROVED)
    held.contribution_id = new_id
    return contribution


async def _still_member(db: AsyncSession, author_id: int, organisation_id: int) -> bool:
    member = select(Membership.id).where(Membership.user_id == author_id, Membership.organisation_id == organisation_id)
    return bool(await db.scalar(select(member.exists())))


#: Bodies longer than this are rendered in a worker thread. Markdown costs little on prose
#: (0.2 ms for 10,000 characters) but grows fast on text made to be slow (250 ms for 10,000
#: nested brackets, about 3 ms at this length); a short body is not worth the thread hop
#: that every post would pay.
MARKDOWN_ON_THE_LOOP_CHARS = 1_000


async def _body_html(body: str) -> str:
    return render_markdown(body) if len(body) <= MARKDOWN_ON_THE_LOOP_CHARS else await rendered_markdown(body)


async def _values(draft: Draft, author: User, key_message: KeyMessage, max_chars: int) -> dict[str, Any]:
    """The columns every contribution gets from its form, checked (ContributionError)."""
    body = validate_body(draft.body, max_chars)
    organisation = _organisation_for(author, draft.organisation_id)
    quote = validated_quote(draft.quote_text, key_message, draft.quote_start)
    now = utcnow()
    return {
        "key_message_id": key_message.id,
        "author_id": author.id,
        "organisation_id": organisation.id if organisation else None,
        "body_source": body,
        "body_html": await _body_html(body),
        "language": _language(draft.language),
        "publication": _publication(draft.publication, organisation),
        "quote_text": quote.text if quote else None,
        "quote_start": quote.start if quote else None,
        "submission_key": draft.submission_key,
        "status": ContributionStatus.VISIBLE,
        "moderation_reason": None,
        "edited_at": None,
        "endorsement_count": 0,
        "created_at": now,
        "updated_at": now,
    }


async def _within_limits(
    db: AsyncSession, author: User, values: dict[str, Any], limits: PostingLimits
) -> WriteResult | None:
    """With the posting limits on: refuses a flood (ContributionError), or answers a form
    sent again with what it published (never refused); None to go on."""
    key = values["submission_key"]
    earlier = await check_posting_limits(db, author, values["body_source"], limits, submission_key=key)
    return None if earlier is None else WriteResult(await db.get_one(Contribution, earlier), created=False)


#: Every column of a new contribution, None until its form's values fill it in: set in full,
#: nothing is ever loaded lazily (which fails under asyncio), whatever columns are added.
_NOTHING_YET: dict[str, Any] = dict.fromkeys(column.key for column in Contribution.__table__.columns)


async def _published(
    db: AsyncSession,
    new_id: int | None,
    values: dict[str, Any],
    author: User,
    topics: list[Topic],
    *,
    page_size: int | None = None,
) -> WriteResult:
    """The new contribution as a model in the session, built from what was written (no query
    reads it back), tagged, its discussion marked changed; or what the same form published
    before, when `new_id` is None."""
    if new_id is None:
        return WriteResult(await _already_submitted(db, author, values["submission_key"]), created=False)
    contribution = Contribution(**{**_NOTHING_YET, **values, "id": new_id})
    contribution.author = author
    contribution.organisation = _organisation_for(author, values["organisation_id"] or PERSONAL)
    make_transient_to_detached(contribution)
    db.add(contribution)
    await tag(db, contribution, topics)
    if page_size is None:
        await mark_discussion_changed(db, contribution.key_message_id)
        return WriteResult(contribution, created=True, topics=tuple(topics))
    # One round trip for both: the version's UPDATE returns the count of opens_the_list.
    earlier = await db.scalar(_bump_and_count_before(page_size), _placing(contribution))
    return WriteResult(contribution, created=True, topics=tuple(topics), opens_the_list=(earlier or 0) < page_size)


async def opens_the_list(db: AsyncSession, contribution: Contribution, page_size: int) -> bool:
    """Whether a top-level contribution is among the first `page_size` of its key message,
    i.e. on the page a key message opens with. Counts at most `page_size` entries of the
    index, however long the discussion."""
    return (await db.scalar(_listed_before(page_size), _placing(contribution)) or 0) < page_size


def _placing(contribution: Contribution) -> dict[str, Any]:
    return {
        "changed_id": contribution.key_message_id,
        "km_id": contribution.key_message_id,
        "before": contribution.created_at,
        "new_id": contribution.id,
    }


@functools.cache
def _bump_and_count_before(page_size: int) -> Any:
    """mark_discussion_changed's UPDATE, returning _listed_before's count."""
    return _BUMP_VERSION.returning(_listed_before(page_size).scalar_subquery())


@functools.cache
def _listed_before(page_size: int) -> Select[int]:
    """How many top-level contributions are listed before a new one, up to `page_size`."""
    before = bindparam("before", type_=Contribution.created_at.type)
    earlier = (
        select(Contribution.id)
        .where(
            Contribution.key_message_id == bindparam("km_id"),
            Contribution.parent_id.is_(None),
            shown_in_lists(),
            or_(
                Contribution.created_at < before,
                and_(Contribution.created_at == before, Contribution.id < bindparam("new_id")),
            ),
        )
        .limit(page_size)
        .subquery()
    )
    return select(func.count()).select_from(earlier)
