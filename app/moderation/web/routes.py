"""URLs of the moderation domain."""

from starlette.routing import Route

from app.moderation.web import views

routes = [
    Route("/contributions/{contribution_id:id}/moderate", views.moderate, methods=["GET", "POST"], name="moderate"),
    Route("/contributions/{contribution_id:id}/topics", views.retag_contribution, methods=["POST"], name="retag"),
]
