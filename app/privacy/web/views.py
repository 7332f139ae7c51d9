"""Privacy pages: the notice, downloading one's data, deleting one's account; and the
accessibility statement, the site's other statement to every reader."""

from __future__ import annotations

import json
from datetime import date

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import account_holder
from app.accounts.models import User
from app.accounts.signin import signed_out_redirect
from app.audit.services import PRIVACY_EXPORT, record
from app.i18n import _
from app.privacy import retention
from app.privacy.erasure import ErasureRefused, contribution_counts, erase_account, organisations_needing_handover
from app.privacy.export import personal_data
from app.privacy.web.forms import DeleteForm, confirmation_field, read_delete_form
from app.templating import render
from app.web.forms import FormState
from app.web.requests import client_address, db_of


async def notice(request: Request) -> Response:
    return render(request, "privacy/notice.html", {"retention": retention})


#: When the accessibility statement was first prepared, and last reviewed against the site
#: (change it with the statement).
ACCESSIBILITY_STATEMENT_DATE = date(2026, 12, 7)
ACCESSIBILITY_STATEMENT_REVIEWED = date(2026, 12, 7)


async def accessibility_statement(request: Request) -> Response:
    context = {
        "prepared_on": ACCESSIBILITY_STATEMENT_DATE,
        "reviewed_on": ACCESSIBILITY_STATEMENT_REVIEWED,
        "contact": request.app.state.settings.accessibility_contact,
        "site": request.app.state.settings.base_url,
    }
    return render(request, "privacy/accessibility.html", context)


async def personal_data_view(request: Request) -> Response:
    """GET explains; POST downloads (a POST, because each download is audited)."""
    user = account_holder(request)
    if request.method == "GET":
        return render(request, "privacy/data.html", {})
    db = db_of(request)
    data = await personal_data(db, user)
    record(db, PRIVACY_EXPORT, actor=user, subject_user=user, address=client_address(request))
    await db.commit()
    # Indented JSON is written by the pure-Python encoder: a sixth of a second for someone with
    # a thousand long contributions, so in a thread, where the event loop does not wait for it.
    content = await to_thread.run_sync(lambda: json.dumps(data, ensure_ascii=False, indent=2).encode())
    return Response(
        content,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="roundtable-my-data-{user.id}.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_account(request: Request) -> Response:
    """GET explains; POST, with the password (or the address) and a choice, deletes."""
    user = account_holder(request)
    if request.method == "GET":
        return await _render_delete(request, user, DeleteForm(FormState(), None))
    form = await read_delete_form(await request.form(), user)
    if not form.state.is_valid or form.choice is None:
        return await _render_delete(request, user, form, status_code=422)
    db = db_of(request)
    try:
        await erase_account(db, user, contributions=form.choice)
    except ErasureRefused as refusal:
        form.state.error("contributions", refusal.message)
        return await _render_delete(request, user, form, status_code=409)
    await db.commit()
    return signed_out_redirect(request, _("Your account is deleted and you are signed out. Thank you for taking part."))


async def _render_delete(request: Request, user: User, form: DeleteForm, status_code: int = 200) -> Response:
    db = db_of(request)
    context = {
        "user": user,
        "form": form.state,
        "confirm_field": confirmation_field(user),
        "handover": await organisations_needing_handover(db, user),
        "counts": await contribution_counts(db, user),
    }
    return render(request, "privacy/delete.html", context, status_code=status_code)
