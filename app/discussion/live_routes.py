"""URLs: Live updates: new contributions for readers with JavaScript, through the database."""

from starlette.routing import BaseRoute, Route

from app.discussion import live_views

routes: list[BaseRoute] = [
    Route("/consultations/{slug}/messages/{ref}/live", live_views.live_news, name="live_news"),
]
