"""URLs of the consolidation domain."""

from starlette.routing import BaseRoute, Route

from app.consolidation.web import views

routes: list[BaseRoute] = [
    Route("/consolidation", views.index, name="consolidation_index"),
    Route("/consultations/{slug}/consolidation", views.workspace, name="consolidation"),
    Route("/consultations/{slug}/consolidation/{ref}", views.key_message_page, name="consolidation_key_message"),
]
