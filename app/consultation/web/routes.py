"""URLs of the consultation pages: the list of consultations, one consultation, one roundtable."""

from starlette.routing import Route

from app.consultation.web import views

routes: list[Route] = [
    Route("/", views.home, name="home"),
    Route("/consultations/{slug}", views.consultation_page, name="consultation"),
    Route("/consultations/{slug}/roundtables/{ref}", views.roundtable_page, name="roundtable"),
]
