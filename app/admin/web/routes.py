"""URLs of the administration pages. The audit log is read-only: it has no POST route."""

from starlette.routing import Route

from app.admin.web import views

routes: list[Route] = [
    Route("/admin/people", views.people, methods=["GET"], name="admin_people"),
    Route("/admin/people/{user_id:id}", views.person, methods=["GET"], name="admin_person"),
    Route("/admin/people/{user_id:id}/roles", views.change_role, methods=["POST"], name="admin_change_role"),
    Route("/admin/audit", views.audit_log, methods=["GET"], name="admin_audit"),
]
