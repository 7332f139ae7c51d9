"""URLs of the feeds domain."""

from starlette.routing import Route

from app.feeds import views

routes = [
    Route("/consultations/{slug}/feed.atom", views.consultation_feed, name="consultation_feed"),
    Route("/consultations/{slug}/messages/{ref}/feed.atom", views.key_message_feed, name="key_message_feed"),
]
