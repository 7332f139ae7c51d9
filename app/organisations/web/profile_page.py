"""An organisation's profile page: shown by its own view, and again, with the error next to
its field, by the membership views (asking to join, leaving)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.consultation.models import Topic
from app.discussion.organisation_contributions import ContributionsPage, profile_topics, public_contributions
from app.discussion.topics import topic_named
from app.organisations.membership import has_pending_request
from app.organisations.models import Organisation
from app.organisations.services import MemberView, members, organisation_by_id
from app.security.permissions import Permission
from app.security.policy import permits
from app.templating import render
from app.urls import path_for
from app.web.forms import FormState
from app.web.requests import db_of, identity_of


@dataclass(frozen=True, slots=True)
class ProfilePage:
    """What organisations/profile.html shows."""

    organisation: Organisation
    members: list[MemberView]
    contributions: ContributionsPage
    topic_choices: list[Topic]
    topic: str | None
    form: FormState
    may_edit: bool
    may_manage: bool
    may_verify: bool
    may_join: bool
    may_leave: bool
    #: The person reading has asked to join and waits for an answer.
    pending: bool


async def organisation_from_path(request: Request) -> Organisation:
    organisation = await organisation_by_id(db_of(request), request.path_params["organisation_id"])
    if organisation is None:
        raise HTTPException(status_code=404)
    return organisation


def profile_url(organisation: Organisation) -> str:
    return path_for("organisation", organisation_id=organisation.id)


async def render_profile(
    request: Request, organisation: Organisation, *, form: FormState | None = None, status_code: int = 200
) -> Response:
    """The profile; `form` carries the join request or leave error to show next to its field."""
    db, identity = db_of(request), identity_of(request)
    topics = await profile_topics(db, organisation)
    chosen = topic_named(topics, request.query_params.get("topic"))
    topic = chosen.slug if chosen else None
    cursor = request.query_params.get("before")
    page = ProfilePage(
        organisation=organisation,
        members=await members(db, organisation),
        contributions=await public_contributions(
            db, organisation, cursor=cursor, topic=topic, page_size=request.app.state.settings.page_size
        ),
        topic_choices=topics,
        topic=topic,
        form=form or FormState(),
        may_edit=permits(identity, Permission.EDIT_ORGANISATION, organisation),
        may_manage=permits(identity, Permission.MANAGE_MEMBERS, organisation),
        may_verify=permits(identity, Permission.VERIFY_ORGANISATION, organisation),
        may_join=permits(identity, Permission.REQUEST_TO_JOIN, organisation),
        may_leave=permits(identity, Permission.LEAVE_ORGANISATION, organisation),
        pending=identity.user is not None and await has_pending_request(db, organisation, identity.user.id),
    )
    return render(request, "organisations/profile.html", page, status_code=status_code)
