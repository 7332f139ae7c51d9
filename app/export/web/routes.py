"""URLs of the export domain."""

from starlette.routing import Route

from app.export.web import views

routes = [
    Route("/consultations/{slug}/export", views.export_page, name="export"),
    # POST, because every download is recorded (who exported what): GET never changes state.
    Route("/consultations/{slug}/export.{format}", views.download, methods=["POST"], name="export_download"),
]
