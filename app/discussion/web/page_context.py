"""What a discussion page offers the person reading it: the actions they may take, whose eyes
the page is for (publication consent), and what an author may still do with their own text.
Every discussion view asks here, so no view imports another."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from starlette.requests import Request

from app.accounts.current import user_of
from app.consultation.models import Consultation, KeyMessage
from app.db import utcnow
from app.discussion.contribution_edit import AuthorActions, author_actions
from app.discussion.holding import waiting_of
from app.discussion.models import Contribution, HeldContribution
from app.discussion.publication import Audience, audience_of
from app.discussion.supersession import CurrentPosition, current_positions
from app.security.permissions import Permission
from app.security.policy import permits
from app.web.requests import db_of, identity_of


@dataclass(frozen=True, slots=True)
class PageFlags:
    """What the person may do on a discussion page, for the templates to offer, and whose
    eyes the page is for. Cached fragments are keyed by these (stored_articles.VARIANT_FLAGS)."""

    may_contribute: bool
    may_endorse: bool
    may_moderate: bool
    may_report: bool
    may_retag: bool
    may_see_hidden: bool
    audience: Audience
    max_chars: int

    def as_context(self) -> dict[str, Any]:
        """The flags as template variables (`may_contribute`, `audience`, ...)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def page_flags(request: Request, consultation: Consultation) -> PageFlags:
    identity = identity_of(request)
    return PageFlags(
        may_contribute=permits(identity, Permission.CONTRIBUTE, consultation),
        may_endorse=identity.user is not None
        and bool(identity.user.memberships)
        and permits(identity, Permission.ENDORSE, consultation),
        may_moderate=permits(identity, Permission.MODERATE),
        may_report=permits(identity, Permission.REPORT),
        may_retag=permits(identity, Permission.RETAG),
        may_see_hidden=permits(identity, Permission.SEE_HIDDEN_BODY),
        audience=audience_of(identity),
        max_chars=request.app.state.settings.contribution_max_chars,
    )


async def positions_before_posting(request: Request, message: KeyMessage) -> list[CurrentPosition]:
    """The current positions a new one from this person could replace, for the form to show
    before they post (none for readers who are not signed in)."""
    user = user_of(identity_of(request))
    return [] if user is None else await current_positions(db_of(request), message.id, user)


async def own_awaiting_moderation(request: Request, message: KeyMessage) -> list[HeldContribution]:
    """The reader's own contributions on the key message held by pre-moderation (none, and no
    query, for readers who are not signed in)."""
    user = user_of(identity_of(request))
    return [] if user is None else await waiting_of(db_of(request), user.id, message.id)


def author_actions_for(
    request: Request, contribution: Contribution, consultation: Consultation
) -> AuthorActions | None:
    """The "Your contribution" box of a contribution's page: for its author only."""
    if not permits(identity_of(request), Permission.EDIT_OWN_CONTRIBUTION, contribution):
        return None
    window = request.app.state.settings.edit_window_minutes
    return author_actions(contribution, consultation, window_minutes=window, now=utcnow())
