"""What a page shows of a contribution: small read-only views built from plain rows, with
publication consent already applied (app.discussion.publication), and the query they are
built from. Every page, feed and export gets its contributions through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, any_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.accounts.models import User
from app.consultation.models import Topic
from app.discussion.models import (
    Attachment,
    Campaign,
    Contribution,
    ContributionStatus,
    ContributionTopic,
    Endorsement,
    PublicationConsent,
)
from app.discussion.publication import (
    PUBLIC,
    Audience,
    Byline,
    byline,
    file_name,
    is_listed_for,
    listed_for,
    may_be_endorsed,
)
from app.discussion.supersession import may_link_current
from app.organisations.models import Organisation, OrganisationType, VerificationState


@dataclass(frozen=True, slots=True)
class AuthorView:
    display_name: str
    erased: bool = False  #: the person deleted their account


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    name: str
    type: OrganisationType
    country: str
    verification: VerificationState


@dataclass(frozen=True, slots=True)
class TopicView:
    slug: str
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    original_name: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class EndorserView:
    """An organisation that endorsed a contribution (endorsements are always public)."""

    organisation: OrganisationView


@dataclass(frozen=True, slots=True)
class ContributionView:
    """What a page shows of a contribution, with publication consent already applied:
    `author` is None when the person may not be named to this audience, `organisation`
    None when the organisation may not be (or there is none). Build one with `to_view` or
    `view_of`, never from a model by hand."""

    id: int
    key_message_id: int
    parent_id: int | None
    thread_root_id: int | None
    depth: int
    position: str | None
    body_html: str
    status: ContributionStatus
    moderation_reason: str | None
    created_at: datetime
    edited_at: datetime | None
    language: str | None
    publication: PublicationConsent
    byline: Byline
    author: AuthorView | None
    organisation: OrganisationView | None
    amendment_text: str | None
    quote_text: str | None
    quote_start: int | None
    endorsement_count: int
    #: A later position of the same speaker replaced this one (it counts nowhere).
    superseded: bool = False
    #: The position that replaced it, when this audience may follow that link
    #: (app.discussion.supersession.may_link_current); None otherwise.
    current_id: int | None = None
    #: A moderator locked its thread: it takes no new replies.
    locked: bool = False
    #: A moderator marked it a duplicate of this contribution.
    duplicate_of_id: int | None = None
    #: The campaign of near-identical contributions it belongs to, and that campaign's size.
    campaign_id: int | None = None
    campaign_size: int | None = None
    #: Filled by attach_extras for the contributions of a page.
    topics: list[TopicView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    endorsers: list[EndorserView] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        """Everyone may read it (it is not kept for moderators and negotiators)."""
        return is_listed_for(self.publication, PUBLIC)

    @property
    def may_be_endorsed(self) -> bool:
        """Visible, and of a kind other organisations may co-sign (app.discussion.publication)."""
        return self.status is ContributionStatus.VISIBLE and may_be_endorsed(self.publication)


#: The position that superseded a listed one, for its publication consent.
_Current = aliased(Contribution, name="current_position")

_LISTED_COLUMNS = (
    Contribution.id,
    Contribution.key_message_id,
    Contribution.parent_id,
    Contribution.thread_root_id,
    Contribution.depth,
    Contribution.position,
    Contribution.body_html,
    Contribution.status,
    Contribution.moderation_reason,
    Contribution.created_at,
    Contribution.edited_at,
    Contribution.language,
    Contribution.publication,
    Contribution.amendment_text,
    Contribution.quote_text,
    Contribution.quote_start,
    Contribution.endorsement_count,
    User.display_name,
    User.erased_at.is_not(None),
    Organisation.id,
    Organisation.name,
    Organisation.type,
    Organisation.country,
    Organisation.verification,
    Contribution.superseded_by_id,
    _Current.publication,
    Contribution.locked_at.is_not(None),
    Contribution.duplicate_of_id,
    Contribution.campaign_id,
    Campaign.size,
)


_COLUMN_COUNT = len(_LISTED_COLUMNS)


def listing(audience: Audience, *extra: Any) -> Select[*tuple[Any, ...]]:
    """Contributions with their people, restricted to those `audience` may see at all."""
    return (
        select(*_LISTED_COLUMNS, *extra)
        .join(User, User.id == Contribution.author_id)
        .outerjoin(Organisation, Organisation.id == Contribution.organisation_id)
        .outerjoin(_Current, _Current.id == Contribution.superseded_by_id)
        .outerjoin(Campaign, Campaign.id == Contribution.campaign_id)
        .where(listed_for(audience))
    )


def to_view(row: Any, audience: Audience) -> ContributionView:
    (
        identifier,
        key_message_id,
        parent_id,
        thread_root_id,
        depth,
        position,
        body_html,
        status,
        moderation_reason,
        created_at,
        edited_at,
        language,
        publication,
        amendment_text,
        quote_text,
        quote_start,
        endorsement_count,
        author_name,
        author_erased,
        organisation_id,
        organisation_name,
        organisation_type,
        country,
        verification,
        superseded_by_id,
        current_publication,
        locked,
        duplicate_of_id,
        campaign_id,
        campaign_size,
    ) = row[:_COLUMN_COUNT]
    shown = byline(publication, audience)
    personal = organisation_id is None
    linked = superseded_by_id is not None and may_link_current(
        audience, personal=personal, earlier=publication, current=current_publication
    )
    return ContributionView(
        id=identifier,
        key_message_id=key_message_id,
        parent_id=parent_id,
        thread_root_id=thread_root_id,
        depth=depth,
        position=position,
        body_html=body_html,
        status=status,
        moderation_reason=moderation_reason,
        created_at=created_at,
        edited_at=edited_at,
        language=language,
        publication=publication,
        byline=shown,
        author=AuthorView(author_name, bool(author_erased)) if shown.person else None,
        organisation=None
        if organisation_id is None or not shown.organisation
        else OrganisationView(organisation_id, organisation_name, organisation_type, country, verification),
        amendment_text=amendment_text,
        quote_text=quote_text,
        quote_start=quote_start,
        endorsement_count=endorsement_count,
        superseded=superseded_by_id is not None,
        # A personal position of an erased author links to nothing: "Former participant"
        # twice must not say it was the same person.
        current_id=superseded_by_id if linked and not (personal and author_erased) else None,
        locked=bool(locked),
        duplicate_of_id=duplicate_of_id,
        campaign_id=campaign_id,
        campaign_size=campaign_size,
    )


async def view_of(db: AsyncSession, contribution_id: int, audience: Audience) -> ContributionView | None:
    """One contribution as `audience` may see it (None if not at all), with its extras."""
    row = (await db.execute(listing(audience).where(Contribution.id == contribution_id))).first()
    if row is None:
        return None
    view = to_view(row, audience)
    await attach_extras(db, [view])
    return view


def _among(db: AsyncSession, column: InstrumentedAttribute[int], ids: list[int]) -> ColumnElement[bool]:
    """`column IN (ids)`; on PostgreSQL `column = ANY(:ids)`, one array parameter, since an
    export asks for a thousand contributions' extras at a time and rendering a thousand
    parameters into each of the three queries cost more than running them."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


async def attach_extras(db: AsyncSession, views: list[ContributionView]) -> None:
    """Topics, attachments and endorsers of the contributions of a page: three queries."""
    by_id = {view.id: view for view in views}
    if not by_id:
        return
    ids = list(by_id)
    topic_rows = await db.execute(
        select(ContributionTopic.contribution_id, Topic.slug, Topic.labels)
        .join(Topic, Topic.id == ContributionTopic.topic_id)
        .where(_among(db, ContributionTopic.contribution_id, ids))
        .order_by(Topic.position)
    )
    for contribution_id, slug, labels in topic_rows:
        by_id[contribution_id].topics.append(TopicView(slug, labels))
    attachment_rows = await db.execute(
        select(Attachment.contribution_id, Attachment.id, Attachment.original_name, Attachment.size_bytes)
        .where(_among(db, Attachment.contribution_id, ids))
        .order_by(Attachment.id)
    )
    for contribution_id, attachment_id, name, size in attachment_rows:
        view = by_id[contribution_id]
        view.attachments.append(AttachmentView(attachment_id, file_name(name, view.byline), size))
    endorsed = [view.id for view in views if view.endorsement_count]
    if not endorsed:  # most pages of a young discussion: no query for nothing
        return
    endorser_rows = await db.execute(
        select(
            Endorsement.contribution_id,
            Organisation.id,
            Organisation.name,
            Organisation.type,
            Organisation.country,
            Organisation.verification,
        )
        .join(Organisation, Organisation.id == Endorsement.organisation_id)
        .where(_among(db, Endorsement.contribution_id, endorsed))
        .order_by(Endorsement.created_at, Endorsement.id)
    )
    for contribution_id, organisation_id, name, kind, country, verification in endorser_rows:
        organisation = OrganisationView(organisation_id, name, kind, country, verification)
        by_id[contribution_id].endorsers.append(EndorserView(organisation))


def view_of_written(
    contribution: Contribution, audience: Audience, attachments: list[Attachment], topics: list[Topic]
) -> ContributionView:
    """A contribution just written, as `audience` sees it, built from what the write holds
    (its author and organisation loaded, its topics and paper) instead of reading it back:
    the answer to an htmx post costs no query. New, so it is current and endorsed by none."""
    author, organisation = contribution.author, contribution.organisation
    row = (  # the row of listing(): its first 17 columns are the contribution's own
        *(getattr(contribution, column.key) for column in _LISTED_COLUMNS[:17]),
        author.display_name,
        author.erased_at is not None,
        *(
            (organisation.id, organisation.name, organisation.type, organisation.country, organisation.verification)
            if organisation is not None
            else (None,) * 5
        ),
        None,  # superseded by none
        None,
        False,  # a new one is in no locked thread (replies to one are refused)
        None,  # nor marked a duplicate
        None,  # in no campaign yet: campaigns are computed later, in the background
        None,
    )
    view = to_view(row, audience)
    view.topics.extend(TopicView(topic.slug, topic.labels) for topic in topics)
    view.attachments.extend(
        AttachmentView(paper.id, file_name(paper.original_name, view.byline), paper.size_bytes) for paper in attachments
    )
    return view
