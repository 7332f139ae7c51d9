"""URLs of the administration pages, and the operators' /metrics. The audit log is read-only:
it has no POST route."""

from starlette.routing import Route

from app.admin.web import consultation_views, metrics_views, views

routes: list[Route] = [
    Route("/admin/people", views.people, methods=["GET"], name="admin_people"),
    Route("/admin/people/{user_id:id}", views.person, methods=["GET"], name="admin_person"),
    Route("/admin/people/{user_id:id}/roles", views.change_role, methods=["POST"], name="admin_change_role"),
    Route("/admin/audit", views.audit_log, methods=["GET"], name="admin_audit"),
    Route("/admin/consultations", consultation_views.consultations, methods=["GET"], name="admin_consultations"),
    Route(
        "/admin/consultations/{slug}/premoderation",
        consultation_views.change_premoderation,
        methods=["POST"],
        name="admin_premoderation",
    ),
    Route(
        "/admin/consultations/{slug}/outcome",
        consultation_views.change_outcome,
        methods=["POST"],
        name="admin_outcome",
    ),
    Route("/metrics", metrics_views.metrics, methods=["GET"], name="metrics"),
]
