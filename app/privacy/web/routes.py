"""URLs of the privacy notice, the accessibility statement, and a person's rights over their data."""

from starlette.routing import Route

from app.privacy.web import views

routes: list[Route] = [
    Route("/privacy", views.notice, methods=["GET"], name="privacy_notice"),
    Route("/accessibility", views.accessibility_statement, methods=["GET"], name="accessibility_statement"),
    Route("/account/data", views.personal_data_view, methods=["GET", "POST"], name="personal_data"),
    Route("/account/delete", views.delete_account, methods=["GET", "POST"], name="delete_account"),
]
