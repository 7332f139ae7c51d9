"""The moderation queue: what waits for a decision, filtered and paged, and the decisions
taken from it, one item at a time or several with one reason."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import signed_in_user
from app.consultation.models import Consultation
from app.consultation.services import all_key_messages, key_message_by_ref, list_consultations
from app.discussion.publication import audience_of
from app.i18n import _, ngettext
from app.mail.services import send_pending
from app.moderation.labels import decision_labels, report_reason_labels
from app.moderation.models import ModerationAction, ReportReason
from app.moderation.queue import (
    QueueFilters,
    QueuePage,
    decide,
    decide_many,
    waiting_count,
    waiting_item,
    waiting_page,
)
from app.moderation.rules import rules_of
from app.moderation.services import ModerationError
from app.organisations.review import review_counts
from app.security.permissions import Permission
from app.security.policy import permits, require
from app.templating import is_htmx, render
from app.urls import path_for
from app.web.flash import flash
from app.web.forms import FormState, query_text, text_values
from app.web.numbers import parse_id, parse_number
from app.web.requests import db_of, identity_of
from app.web.responses import see_other

#: The ages a moderator can filter on, in days.
WAITING_DAYS = (1, 3, 7)
DECISIONS = (
    ModerationAction.KEEP,
    ModerationAction.HIDE,
    ModerationAction.RESTORE,
    ModerationAction.HOLD,
    ModerationAction.APPROVE,
    ModerationAction.REJECT,
    ModerationAction.LOCK,
    ModerationAction.DUPLICATE,
)


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters as the moderator chose them (unknown values mean "any")."""

    consultation: Consultation | None
    key_message_ref: str
    reason: ReportReason | None
    waiting_days: int | None
    cursor: str | None

    def query_string(self, *, after: str | None = None) -> str:
        values = {
            "consultation": self.consultation.slug if self.consultation else "",
            "message": self.key_message_ref,
            "reason": self.reason.value if self.reason else "",
            "waiting": str(self.waiting_days or ""),
            "after": after or "",
        }
        return urlencode({name: value for name, value in values.items() if value})


async def queue(request: Request) -> Response:
    require(identity_of(request), Permission.MODERATE)
    return await _queue_page(request, FormState())


async def decide_item(request: Request) -> Response:
    """One item's decision; back to the queue where it was (its filters and page)."""
    require(identity_of(request), Permission.MODERATE)
    form = await request.form()
    state = FormState(values=text_values(form, "action", "reason", "rule", "duplicate_of", "back"))
    action = _decision(state)
    if action is not None:
        db, settings = db_of(request), request.app.state.settings
        try:
            await decide(
                db,
                moderator=signed_in_user(request),
                item_id=request.path_params["item_id"],
                action=action,
                reason=state.values["reason"],
                rule=state.values["rule"],
                duplicate_of=state.values["duplicate_of"],
                base_url=settings.base_url,
            )
        except ModerationError as error:  # refused before anything was written
            state.error(error.field if error.field != "item" else "action", error.message)
        else:
            notice = _("Decided: %(decision)s.", decision=decision_labels()[action])
            if is_htmx(request):
                response = await _decided_in_place(request, notice)
            else:
                await db.commit()
                response = see_other(_back(state))
                flash(request, response, notice)
            response.background = BackgroundTask(send_pending, db, settings)
            return response
    state.values["item"] = str(request.path_params["item_id"])
    if is_htmx(request):
        return await _item_with_errors(request, state)
    return await _queue_page(request, state, status_code=422)


async def _decided_in_place(request: Request, notice: str) -> Response:
    """htmx: the item leaves the list (nothing replaces it) and the status says what was
    decided and how much still waits; read before the commit, in the decision's transaction."""
    db = db_of(request)
    waiting = await waiting_count(db)
    message = notice + " " + ngettext("%(num)d item waits.", "%(num)d items wait.", waiting)
    await db.commit()
    return render(request, "moderation/_queue_decided.html", {"notice": message})


async def _item_with_errors(request: Request, state: FormState) -> Response:
    """htmx: the item again, its errors next to its fields and the moderator's text kept."""
    item = await waiting_item(db_of(request), request.path_params["item_id"], audience_of(identity_of(request)))
    context = {"item": item, "form": state, "query": await _queue_query(request), "decisions": decision_labels()}
    return render(
        request, "moderation/_queue_item.html", context | {"reasons": report_reason_labels()}, status_code=422
    )


async def decide_items(request: Request) -> Response:
    """The same decision, with one reason, on the items ticked."""
    require(identity_of(request), Permission.MODERATE)
    form = await request.form()
    state = FormState(values=text_values(form, "action", "reason", "rule", "duplicate_of", "back"))
    item_ids = _ticked(form)
    action = _decision(state)
    if not item_ids:
        state.error("items", _("Tick the items to decide."))
    if action is not None and item_ids:
        db, settings = db_of(request), request.app.state.settings
        try:
            decided, skipped = await decide_many(
                db,
                moderator=signed_in_user(request),
                item_ids=item_ids,
                action=action,
                reason=state.values["reason"],
                rule=state.values["rule"],
                duplicate_of=state.values["duplicate_of"],
                base_url=settings.base_url,
            )
        except ModerationError as error:  # refused before anything was written
            state.error(error.field, error.message)
        else:
            await db.commit()
            response = see_other(_back(state))
            message = ngettext("%(num)d item decided.", "%(num)d items decided.", decided)
            if skipped:
                message += " " + ngettext(
                    "%(num)d was skipped: decided meanwhile, or the decision does not apply to it.",
                    "%(num)d were skipped: decided meanwhile, or the decision does not apply to them.",
                    skipped,
                )
            flash(request, response, message)
            response.background = BackgroundTask(send_pending, db, settings)
            return response
    state.values["bulk"] = "yes"
    return await _queue_page(request, state, status_code=422)


def _decision(state: FormState) -> ModerationAction | None:
    try:
        action = ModerationAction(state.values["action"])
    except ValueError:
        action = None
    if action not in DECISIONS:
        state.error("action", _("Choose a decision."))
        return None
    return action


def _ticked(form: FormData) -> list[int]:
    return [item_id for value in form.getlist("items") if isinstance(value, str) and (item_id := parse_id(value))]


def _back(state: FormState) -> str:
    """The queue with the filters the moderator was using (only ever a path of the queue)."""
    query = state.values.get("back", "")
    return path_for("moderation_queue") + (f"?{query}" if query and "/" not in query and "\\" not in query else "")


async def _queue_query(request: Request) -> QueueQuery:
    params = request.query_params
    consultations = {c.slug: c for c in await list_consultations(db_of(request), include_drafts=True)}
    consultation = consultations.get(query_text(params, "consultation"))
    ref = query_text(params, "message")
    if consultation is None or key_message_by_ref(consultation, ref) is None:
        ref = ""
    try:
        reason: ReportReason | None = ReportReason(params.get("reason", ""))
    except ValueError:
        reason = None
    days = parse_number(params.get("waiting"), minimum=1)
    return QueueQuery(consultation, ref, reason, days if days in WAITING_DAYS else None, params.get("after"))


async def _queue_page(request: Request, state: FormState, *, status_code: int = 200) -> Response:
    db = db_of(request)
    query = await _queue_query(request)
    consultation = query.consultation
    message = key_message_by_ref(consultation, query.key_message_ref) if consultation else None
    filters = QueueFilters(
        consultation_id=consultation.id if consultation else None,
        key_message_id=message.id if message else None,
        reason=query.reason,
        waiting_days=query.waiting_days,
    )
    page: QueuePage = await waiting_page(db, filters, audience_of(identity_of(request)), cursor=query.cursor)
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "query": query,
            "consultations": await list_consultations(db, include_drafts=True),
            "key_messages": all_key_messages(consultation) if consultation else [],
            "reasons": report_reason_labels(),
            "decisions": decision_labels(),
            "decisions_for_bulk": DECISIONS,
            # A rule is offered for decisions together only within one consultation.
            "bulk_rules": rules_of(consultation) if consultation else [],
            "waiting_days": WAITING_DAYS,
            "form": state,
            # Organisations are decided on their own review page; the queue says what waits there.
            "organisations": await review_counts(db)
            if permits(identity_of(request), Permission.VERIFY_ORGANISATION)
            else None,
        },
        status_code=status_code,
    )
