"""Endorsements: an organisation co-signs a contribution (an amendment included), once.

A member signs on the organisation's behalf; any member may take the signature back.
Contribution.endorsement_count is kept equal to the rows in the same transaction, so lists
sort by support from an index instead of counting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.errors import ContributionError
from app.discussion.models import Contribution, ContributionStatus, Endorsement
from app.discussion.publication import PUBLIC, byline, is_listed_for, may_be_endorsed
from app.i18n import _
from app.organisations.models import Organisation

#: The form field every refusal is shown next to.
FIELD = "organisation_id"


def endorsement_refusal(contribution: Contribution) -> str | None:
    """Why nobody may endorse this contribution now, or None. Only what everyone can read is
    co-signed: not a removed or withdrawn text, nor one kept from publication."""
    if contribution.status is not ContributionStatus.VISIBLE:
        return _("This contribution was removed, so it cannot be endorsed.")
    if not may_be_endorsed(contribution.publication):
        return _("This contribution is not for publication, so it cannot be endorsed.")
    return None


def own_contribution_refusal(contribution: Contribution, organisation: Organisation) -> str:
    """Why `organisation` may not endorse what it wrote. Only its members are ever told
    (membership is checked first), and they learn no more than the refusal itself says; the
    name is left out when the contribution's byline withholds it from the public, so no page,
    screen or screenshot pairs the name with an anonymous text."""
    publication = contribution.publication
    if is_listed_for(publication, PUBLIC) and byline(publication, PUBLIC).organisation:
        return _("%(name)s wrote this contribution, so it cannot endorse it.", name=organisation.name)
    return _("An organisation you belong to wrote this contribution, so it cannot endorse it.")


def member_organisation(user: User, organisation_id: int | None) -> Organisation:
    """The organisation `user` belongs to with this id; only members sign for it."""
    for membership in user.memberships:
        if membership.organisation_id == organisation_id:
            return membership.organisation
    if organisation_id is None:
        raise ContributionError(FIELD, _("Choose the organisation that endorses this contribution."))
    raise ContributionError(FIELD, _("You can only endorse on behalf of an organisation you belong to."))


async def endorsing_organisation_ids(db: AsyncSession, contribution_id: int) -> set[int]:
    rows = await db.scalars(select(Endorsement.organisation_id).where(Endorsement.contribution_id == contribution_id))
    return set(rows)


@dataclass(frozen=True)
class EndorsingChoices:
    """A person's organisations as the endorse form offers them."""

    #: May endorse now (empty when the contribution cannot be endorsed at all).
    available: list[Organisation]
    #: Endorse it already; the person may withdraw these.
    endorsing: list[Organisation]
    #: The organisation the contribution was written for, when the person belongs to it.
    own: Organisation | None
    refusal: str | None
    #: Why `own` may not endorse it, in words publication consent allows (None without `own`).
    own_refusal: str | None = None


async def endorsing_choices(db: AsyncSession, user: User, contribution: Contribution) -> EndorsingChoices:
    endorsing = await endorsing_organisation_ids(db, contribution.id)
    refusal = endorsement_refusal(contribution)
    organisations = [membership.organisation for membership in user.memberships]
    own = next((o for o in organisations if o.id == contribution.organisation_id), None)
    return EndorsingChoices(
        available=[]
        if refusal
        else [o for o in organisations if o.id not in endorsing and o.id != contribution.organisation_id],
        endorsing=[o for o in organisations if o.id in endorsing],
        own=own,
        refusal=refusal,
        own_refusal=None if own is None else own_contribution_refusal(contribution, own),
    )


async def endorse(
    db: AsyncSession, *, user: User, contribution: Contribution, organisation_id: int | None
) -> Organisation:
    """`user` co-signs `contribution` for one of their organisations (returned): never for
    the organisation that wrote it, and once per organisation (the unique constraint settles
    a race between two members)."""
    organisation = member_organisation(user, organisation_id)
    if (refusal := endorsement_refusal(contribution)) is not None:
        raise ContributionError(FIELD, refusal)
    if contribution.organisation_id == organisation.id:
        raise ContributionError(FIELD, own_contribution_refusal(contribution, organisation))
    already = _("%(name)s has already endorsed this contribution.", name=organisation.name)
    if organisation.id in await endorsing_organisation_ids(db, contribution.id):
        raise ContributionError(FIELD, already)
    endorsement = Endorsement(contribution_id=contribution.id, organisation_id=organisation.id, endorsed_by_id=user.id)
    try:
        async with db.begin_nested():
            db.add(endorsement)
    except IntegrityError:
        raise ContributionError(FIELD, already) from None
    await _count(db, contribution, +1)
    return organisation


async def withdraw_endorsement(
    db: AsyncSession, *, user: User, contribution: Contribution, organisation_id: int
) -> Organisation | None:
    """A member takes back their organisation's signature. Returns the organisation, or None
    when it had not endorsed (already withdrawn, e.g. by a second click or another member)."""
    organisation = member_organisation(user, organisation_id)
    result = await db.execute(
        delete(Endorsement)
        .where(Endorsement.contribution_id == contribution.id, Endorsement.organisation_id == organisation.id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    await _count(db, contribution, -1)
    return organisation


async def _count(db: AsyncSession, contribution: Contribution, change: int) -> None:
    """Move the count with one UPDATE (concurrent endorsements add up rather than overwrite)
    and tell the cached pages, whose counts and order by support change."""
    count = await db.scalar(
        update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(endorsement_count=Contribution.endorsement_count + change)
        .returning(Contribution.endorsement_count)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(contribution, "endorsement_count", count)
    await mark_discussion_changed(db, contribution.key_message_id)
