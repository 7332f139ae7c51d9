"""URLs: the contributions that quote one passage of a key message."""

from starlette.routing import BaseRoute, Route

from app.discussion import quote_views

routes: list[BaseRoute] = [
    Route(
        "/consultations/{slug}/messages/{ref}/passages/{start:int}-{end:int}",
        quote_views.passage_page,
        name="passage",
    ),
]
