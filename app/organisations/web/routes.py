"""URLs of the organisations domain."""

from starlette.routing import Route

from app.organisations.web import member_views, review_views, views

ORGANISATION = "/organisations/{organisation_id:id}"

routes = [
    Route("/organisations", views.find, name="organisations"),
    Route(
        "/organisations/invitations", member_views.invitation, methods=["GET", "POST"], name="organisation_invitation"
    ),
    Route("/organisations/review", review_views.review_page, name="organisations_review"),
    Route("/organisations/claims", review_views.answer_claim, methods=["POST"], name="organisation_claim"),
    Route(ORGANISATION, views.profile, name="organisation"),
    Route(f"{ORGANISATION}/edit", views.edit, methods=["GET", "POST"], name="organisation_edit"),
    Route(f"{ORGANISATION}/verify", views.verification, methods=["GET", "POST"], name="organisation_verify"),
    Route(f"{ORGANISATION}/join", member_views.request_to_join, methods=["POST"], name="organisation_join"),
    Route(f"{ORGANISATION}/leave", member_views.leave, methods=["POST"], name="organisation_leave"),
    Route(f"{ORGANISATION}/members", member_views.members_page, name="organisation_members"),
    Route(
        f"{ORGANISATION}/members/requests", member_views.decide_request, methods=["POST"], name="organisation_decide"
    ),
    Route(f"{ORGANISATION}/members/admins", member_views.make_admin, methods=["POST"], name="organisation_make_admin"),
    Route(f"{ORGANISATION}/members/remove", member_views.remove_member, methods=["POST"], name="organisation_remove"),
    Route(f"{ORGANISATION}/invitations", member_views.send_invitation, methods=["POST"], name="organisation_invite"),
]
