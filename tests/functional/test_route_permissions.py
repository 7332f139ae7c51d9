"""Walk every route with every role and assert who may do what. A new route without an
entry here fails the test, so the table grows with the application."""

from __future__ import annotations

import secrets

import pytest
from starlette.routing import Mount, Route

from app.security.roles import Role
from tests.factories import PASSWORD, make_organisation, make_position, make_user
from tests.support import post_form, sign_in

ROLES = ["anonymous", "participant", "moderator", "negotiator", "admin"]
SIGN_IN = "sign-in"  # expected outcome: redirected to the sign-in page

ALL_OK = dict.fromkeys(ROLES, 200)
SIGNED_IN_OK = {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 200)}
SIGNED_IN_REDIRECT = {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 303)}


def moderators(ok: int) -> dict[str, object]:
    return {"anonymous": SIGN_IN, "participant": 403, "moderator": ok, "negotiator": 403, "admin": ok}


def negotiators(ok: int) -> dict[str, object]:
    return {"anonymous": SIGN_IN, "participant": 403, "moderator": 403, "negotiator": ok, "admin": ok}


def admins(ok: int) -> dict[str, object]:
    return {"anonymous": SIGN_IN, "participant": 403, "moderator": 403, "negotiator": 403, "admin": ok}


#: Organisation admins only: site roles give nothing inside an organisation (see
#: tests/functional/test_organisations.py for an organisation admin's walk).
ORGANISATION_ADMINS = {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}


def unique() -> str:
    return secrets.token_urlsafe(12)


# (route name, method) -> (data for a POST, or None) and the expected outcome per role.
EXPECTATIONS = {
    ("home", "GET"): (None, ALL_OK),
    ("consultation", "GET"): (None, ALL_OK),
    ("roundtable", "GET"): (None, ALL_OK),
    ("key_message", "GET"): (None, ALL_OK),
    ("post_contribution", "POST"): (
        lambda: {"position": "support", "body": "We agree.", "submission_key": unique()},
        SIGNED_IN_REDIRECT,
    ),
    ("thread", "GET"): (None, ALL_OK),
    ("reply_form", "GET"): (None, SIGNED_IN_OK),
    ("post_reply", "POST"): (lambda: {"body": "Indeed.", "submission_key": unique()}, SIGNED_IN_REDIRECT),
    # -- endorsements (issue 4) --
    # Each walker belongs to an organisation of their own; the walked POST chooses none (422). The
    # withdrawn organisation is not theirs (403). All amendments of a key message are public.
    ("endorse_form", "GET"): (None, SIGNED_IN_OK),
    ("endorse", "POST"): (lambda: {"organisation_id": ""}, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 422)}),
    ("withdraw_endorsement", "POST"): (lambda: {}, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("amendments", "GET"): (None, ALL_OK),
    # -- topics (issue 4) --
    ("topics", "GET"): (None, ALL_OK),
    ("topic", "GET"): (None, ALL_OK),
    ("retag", "POST"): (lambda: {"topics": "gender", "reason": "Walked: it is about gender."}, moderators(303)),
    # -- anchored comments (issue 4) --
    ("passage", "GET"): (None, ALL_OK),
    # -- editing and withdrawing (issue 4) --
    # Nobody walking wrote the walked contribution, so nobody may change it; its author's own
    # walk is tests/functional/test_editing.py. Its history is as public as the contribution.
    ("edit_contribution", "GET"): (None, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("edit_contribution", "POST"): (
        lambda: {"body": "Changed.", "position": "support", "language": "en", "version": "original"},
        {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)},
    ),
    ("withdraw_contribution", "GET"): (None, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("withdraw_contribution", "POST"): (lambda: {}, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("contribution_history", "GET"): (None, ALL_OK),
    ("my_contributions", "GET"): (None, SIGNED_IN_OK),
    # -- attachments (issue 4) --
    # The walked contribution has no attachment (404 for all); tests/functional/test_position_papers.py
    # downloads real ones per role and publication rule.
    ("attachment", "GET"): (None, dict.fromkeys(ROLES, 404)),
    # -- live updates and large threads (issue 4) --
    ("live_news", "GET"): (None, ALL_OK),
    ("moderate", "GET"): (None, moderators(200)),
    ("moderate", "POST"): (lambda: {"action": "hide", "reason": "Off topic for this key message."}, moderators(303)),
    ("lock_thread", "POST"): (lambda: {"lock": "lock", "lock_reason": "Walked: the thread is done."}, moderators(303)),
    ("consultation_feed", "GET"): (None, ALL_OK),
    ("key_message_feed", "GET"): (None, ALL_OK),
    ("topic_feed", "GET"): (None, ALL_OK),
    # -- background exports (issue 12) --
    # Asking queues a job (or finds the one queued). The walked job does not exist: negotiators
    # get 404, as they do for another person's (tests/functional/test_export_jobs.py).
    ("export", "GET"): (None, negotiators(200)),
    ("export_request", "POST"): (lambda: {"format": "csv", "roundtable": "RT2"}, negotiators(303)),
    ("export_job", "GET"): (None, negotiators(404)),
    ("export_file", "POST"): (lambda: {}, negotiators(404)),
    ("export_manifest", "POST"): (lambda: {}, negotiators(404)),
    # -- the negotiators' workspace (issue 12) --
    ("consolidation_index", "GET"): (None, negotiators(200)),
    ("consolidation", "GET"): (None, negotiators(200)),
    ("consolidation_key_message", "GET"): (None, negotiators(200)),
    # The JSON export's schema is public: whoever reads an export validates it.
    ("export_schema", "GET"): (None, ALL_OK),
    # Choosing a language: a cookie for anyone (the GET without a language lists them); a POST
    # also sets a signed-in person's mail language (anonymous POSTs have no account to set).
    ("choose_language", "GET"): (None, ALL_OK),
    # For load balancers and monitors: anyone may ask, and learns only "ok" or "ready".
    ("healthz", "GET"): (None, ALL_OK),
    ("readyz", "GET"): (None, ALL_OK),
    ("choose_language", "POST"): (lambda: {"lang": "fr", "next": "/"}, dict.fromkeys(ROLES, 303)),
    ("sign_up", "GET"): (None, ALL_OK),
    ("sign_up_check_mail", "GET"): (None, ALL_OK),
    ("sign_in", "GET"): (None, ALL_OK),
    ("sign_out", "POST"): (lambda: {}, dict.fromkeys(ROLES, 303)),
    # A person's own account; emailed links with a made-up token are refused (400) for everyone.
    ("account", "GET"): (None, SIGNED_IN_OK),
    ("change_email", "POST"): (
        lambda: {"new_email": f"{unique().lower()}@example.org", "password": PASSWORD},
        SIGNED_IN_REDIRECT,
    ),
    ("confirm_email", "GET"): (None, ALL_OK),
    ("confirm_email", "POST"): (lambda: {"token": "made-up"}, dict.fromkeys(ROLES, 400)),
    ("sign_out_everywhere", "POST"): (lambda: {}, SIGNED_IN_REDIRECT),
    # Privacy: the notice is public; downloading and deleting are one's own. The walked delete
    # has no password, so it fails validation (422) and deletes nothing.
    ("privacy_notice", "GET"): (None, ALL_OK),
    ("personal_data", "GET"): (None, SIGNED_IN_OK),
    ("personal_data", "POST"): (lambda: {}, SIGNED_IN_OK),
    ("delete_account", "GET"): (None, SIGNED_IN_OK),
    ("delete_account", "POST"): (
        lambda: {"contributions": "keep"},
        {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 422)},
    ),
    ("verify_email", "GET"): (None, ALL_OK),
    ("verify_email", "POST"): (lambda: {"token": "made-up"}, dict.fromkeys(ROLES, 400)),
    ("resend_verification", "POST"): (lambda: {"next": "/"}, SIGNED_IN_REDIRECT),
    ("password_reset", "GET"): (None, ALL_OK),
    ("password_reset", "POST"): (lambda: {"email": "nobody@example.org"}, ALL_OK),
    ("password_reset_confirm", "GET"): (None, ALL_OK),
    ("password_reset_confirm", "POST"): (
        lambda: {"token": "made-up", "password": "a long new passphrase", "password_confirm": "a long new passphrase"},
        dict.fromkeys(ROLES, 400),
    ),
    # Participants fail the code check (422); people who have two-factor on are sent back (303).
    ("two_factor_setup", "GET"): (None, SIGNED_IN_OK),
    ("two_factor_setup", "POST"): (
        lambda: {"code": "not a code"},
        {"anonymous": SIGN_IN, "participant": 422, **dict.fromkeys(ROLES[2:], 303)},
    ),
    # Without a pending sign-in in this browser, the second step sends everyone to sign in.
    ("two_factor_sign_in", "GET"): (None, dict.fromkeys(ROLES, 303)),
    ("two_factor_sign_in", "POST"): (lambda: {"code": "123456"}, dict.fromkeys(ROLES, 303)),
    ("admin_people", "GET"): (None, admins(200)),
    ("admin_person", "GET"): (None, admins(200)),
    ("admin_change_role", "POST"): (lambda: {"action": "grant", "role": "negotiator", "reason": ""}, admins(303)),
    ("admin_consultations", "GET"): (None, admins(200)),
    ("admin_premoderation", "POST"): (lambda: {"premoderation": "first_contribution", "reason": ""}, admins(303)),
    ("admin_outcome", "POST"): (lambda: {"publishes_outcome": "off", "reason": ""}, admins(303)),
    ("admin_audit", "GET"): (None, admins(200)),
    # This app configures no OpenID Connect provider, so every provider name is unknown.
    ("oidc_login", "GET"): (None, dict.fromkeys(ROLES, 404)),
    ("complete_profile", "GET"): (None, SIGNED_IN_OK),
    ("complete_profile", "POST"): (
        lambda: {"org_name": f"Walked organisation {unique()}", "org_type": "other", "org_country": "BE"},
        SIGNED_IN_REDIRECT,
    ),
    ("organisation", "GET"): (None, ALL_OK),
    ("organisation_edit", "GET"): (None, ORGANISATION_ADMINS),
    ("organisation_edit", "POST"): (lambda: {"name": "Renamed"}, ORGANISATION_ADMINS),
    # -- reports and the moderation queue (issue 11) --
    # Every signed-in walker reports the walked contribution (each for the first time). The
    # walked item does not exist: deciding it alone is refused (422); in bulk it is skipped.
    ("report", "GET"): (None, SIGNED_IN_OK),
    ("report", "POST"): (lambda: {"reason": "spam"}, SIGNED_IN_REDIRECT),
    # Nobody walking wrote the walked contribution: nobody may appeal a decision on it. The
    # author's walk (from the link in the mail, signed out first): test_reports_and_queue.py.
    ("appeal", "GET"): (None, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("appeal", "POST"): (
        lambda: {"text": "Walked: please look again."},
        {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)},
    ),
    # The walked held contribution does not exist: refused like someone else's (403, so the
    # answer does not tell which ids exist). The author's walk: test_premoderation.py.
    ("held_appeal", "GET"): (None, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("held_appeal", "POST"): (
        lambda: {"text": "Walked: please look again."},
        {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)},
    ),
    # Nobody walking wrote the walked held contribution (it does not exist): refused alike.
    ("withdraw_held", "POST"): (lambda: {}, {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 403)}),
    ("moderation_queue", "GET"): (None, moderators(200)),
    ("decide_item", "POST"): (lambda: {"action": "keep", "reason": "Walked: nothing here."}, moderators(422)),
    ("decide_items", "POST"): (
        lambda: {"items": "999999", "action": "keep", "reason": "Walked: nothing here."},
        moderators(303),
    ),
    # The public moderation log and its figures: everyone, signed in or not (issue 11).
    ("moderation_log", "GET"): (None, ALL_OK),
    ("moderation_figures", "GET"): (None, ALL_OK),
    # -- highlights and summaries (issue 11, curating) --
    # The walked contribution is a visible position: moderators pin it (303) and summarise its
    # thread (303); unpinning what is not pinned changes nothing (303). It has no summary yet,
    # so its summary's history is not found for anyone (404); with one: test_curation.py.
    ("highlight", "GET"): (None, moderators(200)),
    ("highlight", "POST"): (lambda: {"reason": "Walked: a clear position."}, moderators(303)),
    ("unpin_highlight", "POST"): (lambda: {"reason": "Walked: no longer needed."}, moderators(303)),
    ("edit_summary", "GET"): (None, moderators(200)),
    ("edit_summary", "POST"): (lambda: {"body": "Walked: a short summary.", "version": "0"}, moderators(303)),
    ("summary_history", "GET"): (None, dict.fromkeys(ROLES, 404)),
    # The walked thread cannot be merged into a thread that does not exist (422).
    ("merge_thread", "GET"): (None, moderators(200)),
    ("merge_thread", "POST"): (lambda: {"into": "999999", "reason": "Walked: a duplicate."}, moderators(422)),
    # -- campaigns of near-identical contributions (issue 11) --
    # Recomputing queues a job (or finds the one queued); the walked campaign does not exist.
    ("campaigns", "GET"): (None, moderators(200)),
    ("campaigns_status", "GET"): (None, moderators(200)),
    ("recompute_campaigns", "POST"): (lambda: {}, moderators(303)),
    ("campaign", "GET"): (None, moderators(404)),
    # -- curation by negotiators (issue 12) --
    # Negotiators mark the walked contribution and keep notes; the walked consultation is open,
    # so its "what we heard" page does not exist yet for anyone (404); once closed:
    # tests/functional/test_negotiators_curate.py.
    ("consolidation_contributions", "GET"): (None, negotiators(200)),
    ("consolidation_review", "POST"): (lambda: {"state": "reviewed", "reason": ""}, negotiators(303)),
    ("consolidation_contribution_note", "POST"): (lambda: {"note": "Walked: a note."}, negotiators(303)),
    ("consolidation_note", "POST"): (lambda: {"note": "Walked: a note."}, negotiators(303)),
    ("consolidation_wording", "GET"): (None, negotiators(200)),
    ("consolidation_wording", "POST"): (lambda: {"text": "Walked: a wording.", "contributions": ""}, negotiators(303)),
    ("what_we_heard", "GET"): (None, dict.fromkeys(ROLES, 404)),
    ("organisation_verify", "GET"): (None, moderators(200)),
    ("organisation_verify", "POST"): (lambda: {"action": "verify", "note": "Checked the register."}, moderators(303)),
    ("organisation_join", "POST"): (lambda: {"message": "I work there."}, SIGNED_IN_REDIRECT),
    # Moderators review organisations; the walked claim does not exist (422). The walk of a
    # real claim is tests/functional/test_membership_by_approval.py.
    ("organisations_review", "GET"): (None, moderators(200)),
    ("organisation_claim", "POST"): (
        lambda: {"request_id": "999999", "action": "approve", "note": "Walked."},
        moderators(422),
    ),
    # Nobody walking is a member of the organisation, so nobody can leave it.
    ("organisation_leave", "POST"): (lambda: {}, ORGANISATION_ADMINS),
    ("organisation_members", "GET"): (None, ORGANISATION_ADMINS),
    ("organisation_decide", "POST"): (lambda: {"request_id": "1", "action": "approve"}, ORGANISATION_ADMINS),
    ("organisation_make_admin", "POST"): (lambda: {"user_id": "1"}, ORGANISATION_ADMINS),
    ("organisation_remove", "POST"): (lambda: {"user_id": "1"}, ORGANISATION_ADMINS),
    ("organisation_invite", "POST"): (lambda: {"email": "someone@example.org"}, ORGANISATION_ADMINS),
    # Invitation links with a made-up token are refused (400); accepting needs a signed-in person.
    ("organisation_invitation", "GET"): (None, dict.fromkeys(ROLES, 400)),
    ("organisation_invitation", "POST"): (
        lambda: {"token": "made-up"},
        {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], 400)},
    ),
}
# sign_up and sign_in POSTs are covered by their own tests (they need distinct bodies).
NOT_WALKED = {("sign_up", "POST"), ("sign_in", "POST")}
# The OpenID Connect callback needs a provider's answer to a dance this browser started;
# tests/functional/test_oidc_sign_in.py walks it against a real provider.
NOT_WALKED |= {("oidc_callback", "GET")}


def app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = set()
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        found |= {(route.name, method) for method in route.methods or [] if method != "HEAD"}
    return found


def test_every_route_has_expectations(app):
    assert app_routes(app) == set(EXPECTATIONS) | NOT_WALKED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route_key", list(EXPECTATIONS), ids=lambda key: f"{key[1]} {key[0]}")
async def test_route_for_role(app, client, db, consultation, role, route_key):
    author = await make_user(db)
    contribution = await make_position(db, consultation, author=author)
    organisation = await make_organisation(db)
    await db.commit()
    if role != "anonymous":
        user = await make_user(db, role=Role(role))
        await db.commit()
        await sign_in(client, user.email, PASSWORD)
    name, method = route_key
    params = {
        "slug": consultation.slug,
        "ref": "RT2-KM3",
        "contribution_id": contribution.id,
        "format": "json",
        "user_id": author.id,
        "name": "unconfigured",
        "organisation_id": organisation.id,
        "topic_slug": "remittances",
        "start": 0,  # a passage of the key message: its first characters
        "end": 5,
        "attachment_id": 0,
        "item_id": 999_999,
        "campaign_id": 999_999,
        "held_id": 999_999,
        "job_id": 999_999,
    }
    if name == "roundtable":
        params["ref"] = "RT2"
    url = app.url_path_for(name, **{k: v for k, v in params.items() if k in _path_params(app, name)})
    data_factory, expected = EXPECTATIONS[route_key]
    if method == "GET":
        response = await client.get(url)
    else:
        response = await post_form(client, url, data_factory())
    outcome = expected[role]
    if outcome == SIGN_IN:
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")
    else:
        assert response.status_code == outcome, response.text[:500]


def _path_params(app, name: str) -> set[str]:  # type: ignore[no-untyped-def]
    route = next(r for r in app.routes if getattr(r, "name", None) == name)
    return set(route.param_convertors)
