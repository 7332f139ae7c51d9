"""URLs of the privacy notice and of a person's rights over their data."""

from starlette.routing import Route

from app.privacy.web import views

routes: list[Route] = [
    Route("/privacy", views.notice, methods=["GET"], name="privacy_notice"),
    Route("/account/data", views.personal_data_view, methods=["GET", "POST"], name="personal_data"),
    Route("/account/delete", views.delete_account, methods=["GET", "POST"], name="delete_account"),
]
