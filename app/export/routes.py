"""URLs of the export domain."""

from starlette.routing import Route

from app.export import views

routes = [
    Route("/consultations/{slug}/export", views.export_page, name="export"),
    Route("/consultations/{slug}/export.{format}", views.download, name="export_download"),
]
